package org.xenoservice.servlet;

/** The filter's under-fire scenarios in embedded Tomcat 11 (Servlet 6.1). */
class TomcatFilterUnderFireIT extends FilterUnderFireScenarios {
    @Override
    ContainerFixture container() {
        return TomcatFilterIT.fixture();
    }
}
