package org.xenoservice.benchmarks.attack;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One CSV line per request a client made:
 * {@code epochMillis,kind,client,address,status,latencyMillis,detail} (kind: {@code page},
 * {@code search}, {@code order}, {@code flood} or {@code dns}; client: the kind of customer, e.g.
 * {@code ttl} or {@code browser60s}, or {@code attacker}; status 0: no answer; detail: the failure,
 * or an order's idempotency key). Safe for concurrent use.
 */
final class RequestLog implements AutoCloseable {
    static final String HEADER = "epochMillis,kind,client,address,status,latencyMillis,detail";
    private final BufferedWriter out;

    RequestLog(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write(HEADER);
        out.newLine();
    }

    synchronized void add(
            long startMillis,
            String kind,
            String client,
            String address,
            int status,
            double latencyMillis,
            String detail) {
        try {
            out.write(startMillis + "," + kind + "," + client + "," + address + "," + status + ","
                    + String.format("%.1f", latencyMillis)
                    + "," + detail.replace(',', ';').replace('\n', ' ').replace('\r', ' '));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A line about the name's addresses as {@code client} sees them: kind {@code dns}, address the new
     * answer joined by spaces.
     */
    synchronized void dns(String client, java.util.List<java.net.InetAddress> addresses) {
        StringBuilder joined = new StringBuilder();
        addresses.forEach(a -> joined.append(joined.length() == 0 ? "" : " ").append(a.getHostAddress()));
        add(System.currentTimeMillis(), "dns", client, joined.toString(), 0, 0, "");
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
