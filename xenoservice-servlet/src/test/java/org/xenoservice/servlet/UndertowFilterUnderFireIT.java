package org.xenoservice.servlet;

/** The filter's under-fire scenarios in Undertow's servlet container (Servlet 6.0). */
class UndertowFilterUnderFireIT extends FilterUnderFireScenarios {
    @Override
    ContainerFixture container() {
        return UndertowFilterIT.fixture();
    }
}
