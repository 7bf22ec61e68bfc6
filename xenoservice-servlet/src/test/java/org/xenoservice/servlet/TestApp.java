package org.xenoservice.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.xenoservice.XenoService;
import org.xenoservice.testing.AdapterRequests;

/**
 * The web app of the scenarios, set up through the portable servlet API: an outer probe filter
 * that sees what the XenoFilter rethrows and when the dispatch returns, the XenoFilter under test,
 * and servlets that answer, fail, and go async.
 */
final class TestApp implements ServletContainerInitializer {
    /** The exception {@code /fail} throws. */
    static final class AppFailure extends ServletException {
        private static final long serialVersionUID = 1L;

        AppFailure() {
            super("the app failed on purpose");
        }
    }

    private final Filter filter;
    private final Map<String, String> initParams = new HashMap<>();
    private final Map<String, Object> attributes = new HashMap<>();
    final AtomicReference<ServletContext> context = new AtomicReference<>();
    final AtomicReference<ServletException> initFailure = new AtomicReference<>();
    final AtomicReference<Throwable> thrownThroughFilter = new AtomicReference<>();
    final AtomicReference<Throwable> thrownByApp = new AtomicReference<>();
    /** Paths whose dispatch has returned to the container. */
    final BlockingQueue<String> dispatchesReturned = new LinkedBlockingQueue<>();
    /** Async requests of {@code /async}, for the test to complete. */
    final BlockingQueue<AsyncContext> pending = new LinkedBlockingQueue<>();

    TestApp(Filter filter) {
        this.filter = filter;
    }

    TestApp initParam(String name, String value) {
        initParams.put(name, value);
        return this;
    }

    TestApp attribute(String name, Object value) {
        attributes.put(name, value);
        return this;
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext servletContext) {
        context.set(servletContext);
        attributes.forEach(servletContext::setAttribute);
        FilterRegistration.Dynamic probe = servletContext.addFilter("probe", new Probe());
        probe.setAsyncSupported(true);
        probe.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        FilterRegistration.Dynamic xeno = servletContext.addFilter("xeno", new InitRecorder());
        xeno.setAsyncSupported(true);
        xeno.setInitParameters(initParams);
        xeno.addMappingForUrlPatterns(
                EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR), true, "/*");
        servlet(servletContext, "/peer-echo", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
                String seen = "peer=" + request.getAttribute(XenoService.PEER_ATTRIBUTE) + "\nq="
                        + request.getParameter("q") + "\nbook=" + request.getParameter("book") + "\n";
                response.setContentType("text/plain");
                response.getWriter().write(seen);
            }
        });
        servlet(servletContext, AdapterRequests.HELLO, new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                byte[] body = AdapterRequests.HELLO_BODY.getBytes(StandardCharsets.UTF_8);
                response.setContentType("text/plain");
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
            }
        });
        servlet(servletContext, AdapterRequests.STREAM, new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain;charset=utf-8");
                String body = AdapterRequests.STREAM_BODY;
                response.getWriter().write(body, 0, body.length() / 2);
                response.flushBuffer(); // committed without a length: the rest goes chunked
                response.getWriter().write(body, body.length() / 2, body.length() - body.length() / 2);
            }
        });
        servlet(servletContext, AdapterRequests.DYNAMIC_PREFIX + "/*", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain;charset=utf-8");
                response.getWriter().write(AdapterRequests.ORDER_BODY);
            }
        });
        servlet(servletContext, AdapterRequests.FAIL, new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws ServletException {
                AppFailure failure = new AppFailure();
                thrownByApp.set(failure);
                throw failure;
            }
        });
        servlet(servletContext, "/async", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                AsyncContext async = request.startAsync();
                async.setTimeout(0);
                pending.add(async);
            }
        });
        servlet(servletContext, "/async-timeout", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                request.startAsync().setTimeout(100);
            }
        });
    }

    private static void servlet(ServletContext context, String path, HttpServlet servlet) {
        ServletRegistration.Dynamic registration = context.addServlet(path.substring(1), servlet);
        registration.setAsyncSupported(true);
        registration.addMapping(path);
    }

    /** Completes a pending {@code /async} request with a body, from the calling thread. */
    static void complete(AsyncContext async, String body) throws IOException {
        async.getResponse().setContentType("text/plain");
        async.getResponse().getWriter().write(body);
        async.complete();
    }

    /** Sees what leaves the XenoFilter: exceptions and the end of the dispatch. */
    private final class Probe implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            String path = XenoFilter.pathInApp((HttpServletRequest) request);
            try {
                chain.doFilter(request, response);
            } catch (IOException | ServletException | RuntimeException e) {
                thrownThroughFilter.set(e);
                throw e;
            } finally {
                dispatchesReturned.add(path);
            }
        }
    }

    /** The filter under test, with the exception its init throws kept for the test. */
    private final class InitRecorder implements Filter {
        @Override
        public void init(FilterConfig config) throws ServletException {
            try {
                filter.init(config);
            } catch (ServletException e) {
                initFailure.set(e);
                throw e;
            }
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            filter.doFilter(request, response, chain);
        }

        @Override
        public void destroy() {
            filter.destroy();
        }
    }
}
