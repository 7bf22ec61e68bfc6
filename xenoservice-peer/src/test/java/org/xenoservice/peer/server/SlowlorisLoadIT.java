package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.peer.server.TwoTenants.A;
import static org.xenoservice.peer.server.TwoTenants.B;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.peer.ConnectionLimits;

/**
 * The load test of issue 15: slowloris-style clients (slow headers, slow bodies to a capture route,
 * slow readers of a big file, hundreds of idle connections, slow unsigned uploads to the control
 * port) run for {@value #SECONDS} s beside ordinary clients of both tenants and the owner's
 * control calls, against a real {@link PeerServer} with small limits; every ordinary answer must
 * be whole, and the small ones must come within 1 s.
 */
class SlowlorisLoadIT {
    private static final int SECONDS = 15;
    private static final long ONE_SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final ConnectionLimits LIMITS = ConnectionLimits.builder()
            .headerTimeout(Duration.ofSeconds(2))
            .bodyTimeout(Duration.ofSeconds(2))
            .idleTimeout(Duration.ofSeconds(3))
            .uploadTimeout(Duration.ofSeconds(3))
            .maxConnections(2000)
            .maxConnectionsPerAddress(50)
            .maxConcurrentUploads(2)
            .build();

    @TempDir
    Path dir;

    private TwoTenants tenants;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final ConcurrentLinkedQueue<Socket> open = new ConcurrentLinkedQueue<>();
    private final AtomicLong attacks = new AtomicLong();
    private final List<Future<?>> attackers = new ArrayList<>();
    private volatile long end;

    @AfterEach
    void stop() throws Exception {
        end = 0;
        threads.shutdownNow();
        for (Socket socket : open) {
            socket.close();
        }
        threads.awaitTermination(10, TimeUnit.SECONDS);
        if (tenants != null) {
            tenants.close();
        }
    }

    @Test
    void ordinaryClientsOfEveryTenantAreServedBesideSlowClients() throws Exception {
        tenants = TwoTenants.start(dir, LIMITS, 0);
        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        for (int i = 0; i < 40; i++) {
            String site = i % 2 == 0 ? A : B;
            attack(2, tenants.peer().servingPort(), socket -> slowHeaders(socket, site));
            attack(3, tenants.peer().servingPort(), socket -> slowBody(socket, site));
            attack(4, tenants.peer().servingPort(), socket -> slowReader(socket, site));
        }
        for (int i = 0; i < 20; i++) {
            attack(6, tenants.peer().controlPort(), SlowlorisLoadIT::slowUnsignedUpload);
        }
        attackers.add(threads.submit(this::idleConnections));
        Thread.sleep(1_000); // let the attackers take their places
        List<Future<Long>> ordinary = new ArrayList<>();
        ordinary.add(threads.submit(() -> ordinary(9, A)));
        ordinary.add(threads.submit(() -> ordinary(10, B)));
        ordinary.add(threads.submit(this::owner));
        long answers = 0;
        for (Future<Long> client : ordinary) {
            answers += client.get(SECONDS + 60, TimeUnit.SECONDS);
        }
        assertTrue(answers > 20, "only " + answers + " ordinary answers");
        for (Future<?> attacker : attackers) {
            attacker.get(
                    60, TimeUnit.SECONDS); // an attacker that failed otherwise than by being cut off fails the test
        }
        assertTrue(attacks.get() > 100, "only " + attacks.get() + " attacking connections");
    }

    /** GETs the small page, a 256 KiB and an 8 MiB file of {@code site} until the end; each whole, the small ones in < 1 s. */
    private long ordinary(int client, String site) throws IOException {
        long answers = 0;
        while (System.nanoTime() < end) {
            for (String path : List.of("/", "/mid.bin", "/big.bin")) {
                long start = System.nanoTime();
                TwoTenants.Answer answer = tenants.get(client, site, path);
                long took = System.nanoTime() - start;
                assertEquals(200, answer.status(), site + path);
                assertArrayEquals(TwoTenants.content(site, path), answer.body(), site + path);
                assertTrue(
                        took < ONE_SECOND_NANOS,
                        site + path + " took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms under attack");
                answers++;
            }
        }
        return answers;
    }

    /** The owner's status call, once a second; each answered in < 1 s. */
    private long owner() throws Exception {
        long answers = 0;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            HttpResponse<String> status = tenants.control(A, "GET", "status", new byte[0]);
            long took = System.nanoTime() - start;
            assertEquals(200, status.statusCode(), status.body());
            assertTrue(took < ONE_SECOND_NANOS, "status took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
            answers++;
            Thread.sleep(500);
        }
        return answers;
    }

    /** Something a slow client does to a connection until the peer ends it. */
    private interface Misbehaviour {
        void on(Socket socket) throws IOException, InterruptedException;
    }

    /** Runs {@code misbehaviour} on connections from 127.0.0.{@code client}, reconnecting until the end. */
    private void attack(int client, int port, Misbehaviour misbehaviour) {
        attackers.add(threads.submit(() -> {
            while (System.nanoTime() < end) {
                try (Socket socket = new Socket()) {
                    open.add(socket);
                    socket.setReceiveBufferSize(4096);
                    socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + client), 0));
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                    attacks.incrementAndGet();
                    misbehaviour.on(socket);
                } catch (IOException e) {
                    // the peer cut it off: come back
                } catch (InterruptedException e) {
                    return null;
                }
                Thread.sleep(50);
            }
            return null;
        }));
    }

    private void slowHeaders(Socket socket, String site) throws IOException, InterruptedException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: " + site + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int line = 0; System.nanoTime() < end; line++) {
            out.write(("X-Slow-" + line + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(1_000);
        }
    }

    private void slowBody(Socket socket, String site) throws IOException, InterruptedException {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /order HTTP/1.1\r\nHost: " + site
                        + "\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        while (System.nanoTime() < end) {
            out.write("0123456789".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(500);
        }
    }

    private void slowReader(Socket socket, String site) throws IOException, InterruptedException {
        socket.getOutputStream()
                .write(("GET /big.bin HTTP/1.1\r\nHost: " + site + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1024];
        while (System.nanoTime() < end) {
            if (in.read(buffer) < 0) {
                return;
            }
            Thread.sleep(500);
        }
    }

    private static void slowUnsignedUpload(Socket socket) throws IOException, InterruptedException {
        OutputStream out = socket.getOutputStream();
        String request = "PUT /xeno/v1/sites/a.test/bundle HTTP/1.1\r\nHost: peer\r\nContent-Length: 10000000\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 100; i++) {
            out.write('P');
            out.flush();
            Thread.sleep(500);
        }
    }

    /** Keeps about 200 idle connections from four addresses, opening them again every 4 s. */
    private Void idleConnections() throws InterruptedException {
        while (System.nanoTime() < end) {
            List<Socket> idle = new ArrayList<>();
            for (int client = 11; client < 15; client++) {
                for (int i = 0; i < 50; i++) {
                    try {
                        Socket socket = new Socket();
                        open.add(socket);
                        idle.add(socket);
                        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + client), 0));
                        socket.connect(
                                new InetSocketAddress(
                                        InetAddress.getLoopbackAddress(),
                                        tenants.peer().servingPort()),
                                5_000);
                        attacks.incrementAndGet();
                    } catch (IOException e) {
                        // refused or reset: the next round tries again
                    }
                }
            }
            Thread.sleep(4_000);
            for (Socket socket : idle) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closed already
                }
                open.remove(socket);
            }
        }
        return null;
    }
}
