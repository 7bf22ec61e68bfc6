package org.xenoservice.dns;

import java.util.Objects;

/**
 * A DNS server to send updates to, e.g. the zone's primary: {@code ns1.example:53},
 * {@code 127.0.0.1:5353} or {@code [2001:db8::1]:53}.
 *
 * @param host a host name or IP address literal (IPv6 without brackets)
 * @param port the UDP and TCP port
 */
public record DnsServer(String host, int port) {
    /** The standard DNS port. */
    public static final int DEFAULT_PORT = 53;

    /** Checks the host is given and the port is 1 to 65535. */
    public DnsServer {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("DNS server host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("DNS server port must be between 1 and 65535, but was " + port);
        }
    }

    /** Parses {@code HOST}, {@code HOST:PORT} or {@code [IPV6]:PORT}; the port is 53 when absent. */
    public static DnsServer parse(String text) {
        Objects.requireNonNull(text, "text");
        String host = text.strip();
        int port = DEFAULT_PORT;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("DNS server \"" + text + "\" has '[' without ']'");
            }
            String rest = host.substring(close + 1);
            host = host.substring(1, close);
            if (!rest.isEmpty()) {
                port = parsePort(text, rest.startsWith(":") ? rest.substring(1) : rest);
            }
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            int colon = host.indexOf(':');
            port = parsePort(text, host.substring(colon + 1));
            host = host.substring(0, colon);
        }
        return new DnsServer(host, port);
    }

    private static int parsePort(String text, String port) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "DNS server \"" + text + "\" must be HOST:PORT, e.g. 127.0.0.1:53; the port \"" + port
                            + "\" is not a number",
                    e);
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
