package org.xenoservice.servlet;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.ServletContainerInitializer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/** The filter's scenarios in Undertow's servlet container (Servlet 6.0). */
class UndertowFilterIT extends FilterScenarios {
    @Override
    ContainerFixture container() {
        return fixture();
    }

    /** A fresh, unstarted Undertow's servlet container on loopback, for every scenario class that runs there. */
    static ContainerFixture fixture() {
        return new ContainerFixture() {
            private DeploymentManager manager;
            private Undertow server;

            @Override
            public URI start(String contextPath, Path docBase, ServletContainerInitializer app) throws Exception {
                String path = contextPath.isEmpty() ? "/" : contextPath;
                DeploymentInfo info = Servlets.deployment()
                        .setClassLoader(UndertowFilterIT.class.getClassLoader())
                        .setContextPath(path)
                        .setDeploymentName("app")
                        .setResourceManager(new PathResourceManager(docBase))
                        .addServletContainerInitializer(new ServletContainerInitializerInfo(
                                app.getClass(), new ImmediateInstanceFactory<>(app), Set.of()));
                ServletContainer container = ServletContainer.Factory.newInstance();
                manager = container.addDeployment(info);
                HttpHandler handler;
                try {
                    manager.deploy();
                    handler = manager.start();
                } catch (Exception e) {
                    // the web app failed to start; the server answers without it
                    handler = ResponseCodeHandler.HANDLE_404;
                }
                PathHandler root = Handlers.path(ResponseCodeHandler.HANDLE_404).addPrefixPath(path, handler);
                server = Undertow.builder()
                        .addHttpListener(0, "127.0.0.1")
                        .setHandler(root)
                        .build();
                server.start();
                int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
                return URI.create("http://127.0.0.1:" + port);
            }

            @Override
            public void stop() throws Exception {
                if (manager != null) {
                    manager.stop();
                    manager.undeploy();
                }
                if (server != null) {
                    server.stop();
                }
            }

            @Override
            public boolean countsUndeclaredBufferedBytes() {
                return false;
            }
        };
    }
}
