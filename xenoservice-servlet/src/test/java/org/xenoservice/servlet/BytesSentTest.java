package org.xenoservice.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * {@link BytesSent} in a container it does not know (the ITs cover Tomcat's and Undertow's counters):
 * the declared {@code Content-Length}, or 0.
 */
class BytesSentTest {
    private final BytesSent bytesSent = new BytesSent();

    @Test
    void anUnknownContainersResponseCountsItsDeclaredLength() {
        assertEquals(4_096, bytesSent.of(responseDeclaring("4096")));
    }

    @Test
    void anUnknownContainersResponseWithoutALengthCountsNothing() {
        assertEquals(0, bytesSent.of(responseDeclaring(null)));
        assertEquals(0, bytesSent.of(responseDeclaring("many")));
    }

    @Test
    void aWrappedResponseIsCountedAsTheContainersOwn() {
        assertEquals(12, bytesSent.of(new HttpServletResponseWrapper(responseDeclaring("12"))));
    }

    @Test
    void aCounterThatFailsCountsNothingRatherThanFailTheRequest() {
        HttpServletResponse recycled = (HttpServletResponse) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("the response object has been recycled");
                });
        assertEquals(0, bytesSent.of(recycled));
    }

    /** A response of no container's class whose {@code Content-Length} header is {@code length}. */
    private static HttpServletResponse responseDeclaring(String length) {
        return (HttpServletResponse) Proxy.newProxyInstance(
                BytesSentTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getHeader") && "Content-Length".equals(args[0])) {
                        return length;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
