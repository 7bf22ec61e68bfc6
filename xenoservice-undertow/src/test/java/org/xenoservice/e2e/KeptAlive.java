package org.xenoservice.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 request on a connection the client would keep alive, as a browser's: whether the
 * server said {@code Connection: close} and whether it then closed the connection, or kept it open
 * for the next request.
 */
final class KeptAlive {
    /** What the server did with the connection. */
    record Answer(String statusLine, boolean saidClose, boolean closed) {}

    private KeptAlive() {}

    static Answer get(String address, int port, String host, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: kept-alive\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String lower = head.toLowerCase(Locale.ROOT);
            int length = contentLength(lower);
            in.readNBytes(length);
            socket.setSoTimeout(1_000);
            boolean closed;
            try {
                closed = in.read() == -1;
            } catch (SocketTimeoutException stillOpen) {
                closed = false;
            }
            return new Answer(head.lines().findFirst().orElse(""), lower.contains("\r\nconnection: close"), closed);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 65_536) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed inside the response head: " + head);
            }
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        throw new IOException("no end of the response head in 64 KiB");
    }

    private static int contentLength(String lowerHead) throws IOException {
        for (String line : lowerHead.lines().toList()) {
            if (line.startsWith("content-length:")) {
                return Integer.parseInt(
                        line.substring("content-length:".length()).strip());
            }
        }
        throw new IOException("the test pages are sent with a Content-Length, this one was not: " + lowerHead);
    }
}
