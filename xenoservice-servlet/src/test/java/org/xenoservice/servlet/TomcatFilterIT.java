package org.xenoservice.servlet;

import jakarta.servlet.ServletContainerInitializer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;

/** The filter's scenarios in embedded Tomcat 11 (Servlet 6.1). */
class TomcatFilterIT extends FilterScenarios {
    @Override
    ContainerFixture container() {
        return fixture();
    }

    /** A fresh, unstarted embedded Tomcat on loopback, for every scenario class that runs there. */
    static ContainerFixture fixture() {
        return new ContainerFixture() {
            private Tomcat tomcat;

            @Override
            public URI start(String contextPath, Path docBase, ServletContainerInitializer app) throws Exception {
                tomcat = new Tomcat();
                tomcat.setBaseDir(Files.createTempDirectory("tomcat-").toString());
                Connector connector = new Connector();
                connector.setPort(0);
                connector.setProperty("address", "127.0.0.1");
                tomcat.setConnector(connector);
                Context context = tomcat.addContext(contextPath, docBase.toString());
                context.addServletContainerInitializer(app, null);
                Tomcat.addServlet(context, "default", new DefaultServlet()).addMapping("/");
                try {
                    tomcat.start();
                } catch (LifecycleException e) {
                    // the web app failed to start; the server answers without it
                }
                return URI.create("http://127.0.0.1:" + connector.getLocalPort());
            }

            @Override
            public void stop() throws Exception {
                if (tomcat != null) {
                    tomcat.stop();
                    tomcat.destroy();
                }
            }

            @Override
            public boolean countsUndeclaredBufferedBytes() {
                return true;
            }
        };
    }
}
