package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.peer.server.TwoTenants.A;
import static org.xenoservice.peer.server.TwoTenants.B;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.peer.ConnectionLimits;

/**
 * Clients that misbehave on purpose against a real {@link PeerServer} with two tenants: idle and
 * slow connections are capped per address and cut off by the timeouts, slow readers and slow
 * uploads hold no thread another client needs, a site's parallel downloads share its bandwidth,
 * and the request target and headers are read as HTTP says. Attackers connect from 127.0.0.2 and
 * up, ordinary clients from 127.0.0.9.
 */
class HostileClientsIT {
    private static final int ORDINARY = 9;
    private static final ConnectionLimits SMALL = ConnectionLimits.builder()
            .headerTimeout(Duration.ofSeconds(2))
            .bodyTimeout(Duration.ofSeconds(2))
            .idleTimeout(Duration.ofSeconds(3))
            .uploadTimeout(Duration.ofSeconds(3))
            .maxConnections(1000)
            .maxConnectionsPerAddress(20)
            .maxConcurrentUploads(2)
            .build();

    @TempDir
    Path dir;

    private TwoTenants tenants;
    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws IOException {
        clients.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
        if (tenants != null) {
            tenants.close();
        }
    }

    private Socket held(Socket socket) {
        sockets.add(socket);
        return socket;
    }

    /** Whether the peer closes {@code socket} within {@code millis} (reading and dropping what it sends). */
    private static boolean closedWithin(Socket socket, long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        InputStream in = socket.getInputStream();
        byte[] drop = new byte[8192];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            try {
                if (in.read(drop) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }
        return false;
    }

    private void assertOrdinaryClientsServed() throws IOException {
        for (String site : List.of(A, B)) {
            for (String path : List.of("/", "/big.bin")) {
                TwoTenants.Answer answer = tenants.get(ORDINARY, site, path);
                assertEquals(200, answer.status(), site + path);
                assertArrayEquals(TwoTenants.content(site, path), answer.body(), site + path);
            }
        }
    }

    @Test
    void connectionsOverThePerAddressCapAreClosedAtOnce() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            idle.add(held(tenants.serving(2)));
        }
        Thread.sleep(300);
        int closed = 0;
        for (Socket socket : idle) { // 50 ms each, well within the 3 s idle timeout
            if (closedWithin(socket, 50)) {
                closed++;
            }
        }
        assertEquals(10, closed, "20 connections per address are kept, the others closed");
        assertOrdinaryClientsServed();
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        Socket silent = held(tenants.serving(2));
        Socket kept = held(tenants.serving(3));
        TwoTenants.Answer first = TwoTenants.exchange(kept, "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
        assertEquals(200, first.status());
        assertTrue(closedWithin(silent, 15_000), "a connection that never sends a request is closed");
        assertTrue(closedWithin(kept, 15_000), "a kept-alive connection with no next request is closed");
    }

    @Test
    void headersSentSlowlyAreCutOffAtTheHeaderTimeout() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        Socket slow = held(tenants.serving(2));
        OutputStream out = slow.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: a.test\r\n".getBytes(StandardCharsets.US_ASCII));
        long start = System.nanoTime();
        boolean cut = false;
        // A header line every 500 ms: never idle for the 3 s idle timeout, so only the 2 s header timeout ends it.
        for (int line = 0; line < 40 && !cut; line++) {
            try {
                out.write(("X-Slow-" + line + ": yes\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                cut = true;
                break;
            }
            cut = closedWithin(slow, 500);
        }
        assertTrue(cut, "the connection was still open after 20 s of headers");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15));
    }

    @Test
    void slowReadersOfABigFileHoldNoThreadOthersNeed() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        for (int i = 0; i < 40; i++) { // more than the serving port's worker threads
            Socket reader = new Socket();
            reader.setReceiveBufferSize(4096);
            reader.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0." + (2 + i / 20)), 0));
            reader.connect(new java.net.InetSocketAddress(
                    java.net.InetAddress.getLoopbackAddress(), tenants.peer().servingPort()));
            held(reader)
                    .getOutputStream()
                    .write(("GET /big.bin HTTP/1.1\r\nHost: " + (i % 2 == 0 ? A : B) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
        }
        Thread.sleep(500); // let the peer start sending to all of them
        assertOrdinaryClientsServed();
        assertOrdinaryClientsServed();
    }

    @Test
    void slowReadersOfABigDegradePageHoldNoThreadOthersNeed() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        for (int i = 0; i < 40; i++) { // more than the serving port's worker threads
            Socket reader = new Socket();
            reader.setReceiveBufferSize(4096);
            reader.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0." + (2 + i / 20)), 0));
            reader.connect(new java.net.InetSocketAddress(
                    java.net.InetAddress.getLoopbackAddress(), tenants.peer().servingPort()));
            held(reader)
                    .getOutputStream()
                    .write(("GET /busy HTTP/1.1\r\nHost: " + (i % 2 == 0 ? A : B) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
        }
        Thread.sleep(500); // let the peer start sending the degrade page to all of them
        for (String site : List.of(A, B)) {
            long start = System.nanoTime();
            TwoTenants.Answer page = tenants.get(ORDINARY, site, "/busy");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(503, page.status(), site);
            assertArrayEquals(TwoTenants.content(site, "/big.bin"), page.body(), site + ": the whole degrade page");
            assertTrue(millis < 1_000, site + ": the degrade page waited " + millis + " ms for a worker thread");
        }
        assertOrdinaryClientsServed();
    }

    @Test
    void slowUnsignedUploadsLeaveTheOwnersCallsAnswered() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        List<Socket> uploads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Socket upload = held(tenants.control(2));
            String request = "PUT /xeno/v1/sites/a.test/bundle HTTP/1.1\r\nHost: peer\r\n"
                    + "Content-Length: 10000000\r\n\r\nPK";
            upload.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            uploads.add(upload);
        }
        HttpResponse<String> status = tenants.control(A, "GET", "status", new byte[0]);
        assertEquals(200, status.statusCode(), status.body());
        for (Socket upload : uploads) {
            upload.setSoTimeout(5_000);
            String line = new String(upload.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 401", line, "an unsigned upload is refused before its body is read");
        }
    }

    @Test
    void signedUploadsOverTheCapAreAskedToRetryAndSmallCallsStillAnswered() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        List<Socket> uploads = new ArrayList<>();
        byte[] claimed = new byte[1000];
        String path = "/xeno/v1/sites/a.test/bundle";
        for (int i = 0; i < 4; i++) {
            StringBuilder request =
                    new StringBuilder("PUT " + path + " HTTP/1.1\r\nHost: peer\r\nContent-Length: 1000\r\n");
            tenants.signedHeaders(A, "PUT", path, claimed)
                    .forEach((name, value) ->
                            request.append(name).append(": ").append(value).append("\r\n"));
            Socket upload = held(tenants.control(2));
            upload.getOutputStream().write((request + "\r\nPK").getBytes(StandardCharsets.US_ASCII));
            uploads.add(upload);
            Thread.sleep(100);
        }
        int busy = 0;
        for (Socket upload : uploads) {
            upload.setSoTimeout(1_000);
            try {
                String line = new String(upload.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                if (line.equals("HTTP/1.1 503")) {
                    busy++;
                }
            } catch (SocketTimeoutException e) {
                // still being received: one of the two uploads read at once
            }
        }
        assertEquals(2, busy, "two uploads are read at once, the others are told to retry");
        HttpResponse<String> status = tenants.control(A, "GET", "status", new byte[0]);
        assertEquals(200, status.statusCode(), status.body());
        for (Socket upload : uploads) {
            assertTrue(closedWithin(upload, 15_000), "a stalled upload ends at the upload timeout");
        }
    }

    @Test
    void parallelDownloadsShareTheSitesBandwidth() throws Exception {
        long peerBandwidth = 1L << 20; // a.test's quarter: 256 KiB/s
        double share = peerBandwidth * 0.25;
        tenants = TwoTenants.start(dir, SMALL, peerBandwidth);
        int downloads = 6;
        long start = System.nanoTime();
        List<Future<TwoTenants.Answer>> answers = new ArrayList<>();
        for (int i = 0; i < downloads; i++) {
            int client = 2 + i;
            answers.add(clients.submit(() -> tenants.get(client, A, "/mid.bin")));
        }
        for (Future<TwoTenants.Answer> answer : answers) {
            assertArrayEquals(
                    TwoTenants.content(A, "/mid.bin"),
                    answer.get(60, TimeUnit.SECONDS).body());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = downloads * (double) TwoTenants.MID_BYTES / seconds;
        assertTrue(
                rate <= 1.5 * share,
                String.format(
                        "%d parallel downloads got %.0f B/s in all, the share is %.0f B/s", downloads, rate, share));
    }

    @Test
    void anAbsoluteFormTargetIsServedFromItsAuthority() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        try (Socket socket = tenants.serving(ORDINARY)) {
            socket.setSoTimeout(10_000);
            TwoTenants.Answer answer = TwoTenants.exchange(
                    socket, "GET http://b.test/ HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n");
            assertEquals(200, answer.status());
            assertArrayEquals(TwoTenants.content(B, "/"), answer.body(), "RFC 9112 3.2.2: the target's host wins");
        }
    }

    @Test
    void aControlCharacterInAHeaderValueIsABadRequest() throws Exception {
        tenants = TwoTenants.start(dir, SMALL, 0);
        for (Map.Entry<String, String> header : Map.of(
                        "X-Note", "a\u0001b", "Accept-Encoding", "gzip\u007f", "Referer", "x\u001bz")
                .entrySet()) {
            try (Socket socket = tenants.serving(ORDINARY)) {
                socket.setSoTimeout(10_000);
                TwoTenants.Answer answer = TwoTenants.exchange(
                        socket,
                        "GET / HTTP/1.1\r\nHost: a.test\r\n" + header.getKey() + ": " + header.getValue()
                                + "\r\nConnection: close\r\n\r\n");
                assertEquals(400, answer.status(), header.getKey());
            }
        }
    }
}
