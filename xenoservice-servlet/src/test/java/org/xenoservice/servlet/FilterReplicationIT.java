package org.xenoservice.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoService;
import org.xenoservice.acme.PebbleServerExtension;
import org.xenoservice.e2e.DefendedSite;
import org.xenoservice.e2e.FloodScenario;
import org.xenoservice.e2e.Orders;

/**
 * The flood of the undertow module's {@code org.xenoservice.e2e.ReplicationIT}, with the origin an
 * existing servlet app in embedded Tomcat protected by {@link XenoFilter}: same real BIND and pebble,
 * same three real peers serving HTTPS with the certificates the replicator got them, same client.
 */
class FilterReplicationIT {
    @RegisterExtension
    static final PebbleServerExtension SERVERS = new PebbleServerExtension();

    @TempDir
    Path dir;

    private DefendedSite site;
    private XenoService xeno;
    private Tomcat tomcat;

    @AfterEach
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        if (xeno != null) {
            xeno.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @Test
    void floodOnATomcatAppIsAbsorbedByPeersWhichLeaveDnsWhenItPasses() throws Exception {
        site = new DefendedSite(dir, SERVERS);
        site.resetDns();
        site.startPeers();
        xeno = XenoService.start(site.config(site.dnsServer(), true).build());
        tomcat = startShop(site, xeno);
        new FloodScenario(site, xeno).run();
    }

    /** The bookshop as a plain servlet app: pages from its folder, an order servlet, and the filter. */
    private static Tomcat startShop(DefendedSite site, XenoService xeno) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory(site.dir, "tomcat-").toString());
        Connector connector = new Connector();
        connector.setPort(site.port);
        connector.setProperty("address", DefendedSite.ORIGIN_ADDRESS);
        connector.setProperty("maxThreads", "32");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", site.siteFiles.toString());
        Tomcat.addServlet(context, "default", new DefaultServlet()).addMapping("/");
        Tomcat.addServlet(context, "order", new OrderServlet(site.orders)).addMapping("/order");
        FilterDef filter = new FilterDef();
        filter.setFilterName("xeno");
        filter.setFilter(new XenoFilter(xeno));
        context.addFilterDef(filter);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("xeno");
        mapping.addURLPattern("/*");
        context.addFilterMap(mapping);
        tomcat.start();
        return tomcat;
    }

    /** Applies an order by its idempotency key, as the shop's own order form does. */
    private static final class OrderServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient Orders orders;

        OrderServlet(Orders orders) {
            this.orders = orders;
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            request.getInputStream().readAllBytes();
            String key = request.getHeader("Idempotency-Key");
            orders.apply(key == null ? "origin-" + System.nanoTime() : key);
            response.setStatus(201);
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().write("order placed");
        }
    }
}
