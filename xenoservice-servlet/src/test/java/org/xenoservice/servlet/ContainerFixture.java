package org.xenoservice.servlet;

import jakarta.servlet.ServletContainerInitializer;
import java.net.URI;
import java.nio.file.Path;

/**
 * A real servlet container on a loopback port, for the scenarios of {@link FilterScenarios} to run
 * in. The web app is set up by a {@link ServletContainerInitializer} through the portable
 * {@code ServletContext} API, so the only container-specific part is starting the server and
 * serving the document base.
 */
interface ContainerFixture {
    /**
     * Deploys one web app and starts the server on 127.0.0.1, port 0. A web app whose start fails
     * (a filter's {@code init} threw) is not served; the server still answers.
     *
     * @param contextPath {@code ""} for the root context, else e.g. {@code "/shop"}
     * @param docBase the web app's document base
     * @return the server's base URI, e.g. {@code http://127.0.0.1:40123}
     */
    URI start(String contextPath, Path docBase, ServletContainerInitializer app) throws Exception;

    /** Stops the web app (filters are destroyed) and the server. */
    void stop() throws Exception;

    /**
     * Whether the filter can count, when the chain returns, a body the app left in the container's
     * buffer without declaring its length: Tomcat counts every byte the app wrote; Undertow sends such
     * a body, and counts it, only after the chain has returned ({@link BytesSent}).
     */
    boolean countsUndeclaredBufferedBytes();
}
