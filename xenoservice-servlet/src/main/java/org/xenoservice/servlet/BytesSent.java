package org.xenoservice.servlet;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The response body bytes of a request, asked of the servlet container itself when the request
 * ends: the servlet API has no such call, and counting them in a wrapper around every response's
 * output stream would allocate on every request and get in the way of the app's non-blocking I/O.
 * How to ask is found once per response class, by the containers' public methods:
 *
 * <ul>
 *   <li>Tomcat ({@code ResponseFacade.getContentWritten()}): every body byte the app wrote, sent or
 *       still buffered (counted before the connector's compression, if that is on; a writer's
 *       characters count one each).
 *   <li>Undertow ({@code HttpServletResponseImpl.getExchange().getResponseBytesSent()}): the body
 *       bytes sent so far. Undertow sends a buffered body only after the filter chain has returned,
 *       so a body whose length the app declared counts that {@code Content-Length}; a short body of
 *       undeclared length, still in Undertow's buffer when the chain returns, is not counted.
 *   <li>Any other container: the declared {@code Content-Length}, or 0.
 * </ul>
 *
 * <p>A response wrapped by a filter before this one is unwrapped to the container's. Each filter
 * keeps its own instance, which remembers the counter of the last response class it saw (a container
 * has one), so nothing of the web app is cached in the container's classes. Allocation-free for
 * Tomcat and Undertow once it has seen their response class; safe for concurrent use.
 */
final class BytesSent {
    private static final MethodType COUNT = MethodType.methodType(long.class, ServletResponse.class);
    private static final Counter DECLARED_LENGTH = BytesSent::declaredLength;

    /** How to count one container's response bytes. */
    @FunctionalInterface
    interface Counter {
        long bytes(ServletResponse response) throws Throwable;
    }

    /** The counter of the last response class seen. */
    private record Known(Class<?> type, Counter counter) {}

    private volatile Known last = new Known(Void.class, DECLARED_LENGTH);

    /** The body bytes of {@code response} as its container can tell now; 0 if it cannot. */
    long of(HttpServletResponse response) {
        ServletResponse container = response;
        while (container instanceof ServletResponseWrapper wrapper) {
            container = wrapper.getResponse();
        }
        Known known = last;
        if (known.type() != container.getClass()) {
            known = new Known(container.getClass(), counterOf(container.getClass()));
            last = known;
        }
        try {
            return known.counter().bytes(container);
        } catch (RuntimeException e) {
            return 0; // e.g. a response the container has recycled already: the figure is best effort
        } catch (Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible); // the containers' counters throw no checked exception
        }
    }

    /** The container's own counter for responses of {@code type}, else the declared length. */
    static Counter counterOf(Class<?> type) {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        try {
            MethodHandle written = lookup.findVirtual(type, "getContentWritten", MethodType.methodType(long.class))
                    .asType(COUNT);
            return response -> (long) written.invokeExact(response);
        } catch (NoSuchMethodException | IllegalAccessException | RuntimeException notTomcat) {
            // try Undertow's
        }
        try {
            Class<?> exchangeType = type.getMethod("getExchange").getReturnType();
            MethodHandle sent = MethodHandles.filterReturnValue(
                            lookup.findVirtual(type, "getExchange", MethodType.methodType(exchangeType)),
                            lookup.findVirtual(exchangeType, "getResponseBytesSent", MethodType.methodType(long.class)))
                    .asType(COUNT);
            MethodHandle declared = lookup.findVirtual(type, "getContentLength", MethodType.methodType(long.class))
                    .asType(COUNT);
            return response -> Math.max((long) sent.invokeExact(response), (long) declared.invokeExact(response));
        } catch (NoSuchMethodException | IllegalAccessException | RuntimeException notUndertow) {
            return DECLARED_LENGTH;
        }
    }

    /** The declared {@code Content-Length}, or 0: what a container without a counter lets us see. */
    private static long declaredLength(ServletResponse response) {
        String length = response instanceof HttpServletResponse http ? http.getHeader("Content-Length") : null;
        if (length == null) {
            return 0;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
