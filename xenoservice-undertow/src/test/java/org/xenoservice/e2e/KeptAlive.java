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
 * One request on a connection the client would keep alive, as a browser's: over HTTP/1.1, whether
 * the server said {@code Connection: close} and whether it then closed the connection, or kept it
 * open for the next request; over HTTP/2 (cleartext, prior knowledge; frames written by hand so the
 * test sees every one), whether the server sent GOAWAY after the answer.
 */
final class KeptAlive {
    /** What the server did with the connection. */
    record Answer(String statusLine, boolean saidClose, boolean closed) {}

    private KeptAlive() {}

    static Answer get(String address, int port, String host, String path) throws IOException {
        return get(address, port, host, path, 1, java.time.Duration.ZERO).get(0);
    }

    /**
     * {@code requests} requests one after the other on one connection, {@code pause} apart (each
     * answer read whole first), as a browser that keeps reading pages of the site; stops early when
     * the server closes the connection. The answers, in order.
     */
    static java.util.List<Answer> get(
            String address, int port, String host, String path, int requests, java.time.Duration pause)
            throws IOException {
        java.util.List<Answer> answers = new java.util.ArrayList<>();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
            for (int i = 0; i < requests; i++) {
                if (i > 0) {
                    sleep(pause);
                }
                socket.setSoTimeout(5_000);
                socket.getOutputStream()
                        .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: kept-alive\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String head = readHead(in);
                String lower = head.toLowerCase(Locale.ROOT);
                int length = contentLength(lower);
                in.readNBytes(length);
                boolean saidClose = lower.contains("\r\nconnection: close");
                boolean closed = false;
                if (saidClose || i == requests - 1) {
                    socket.setSoTimeout(1_000);
                    try {
                        closed = in.read() == -1;
                    } catch (SocketTimeoutException stillOpen) {
                        closed = false;
                    }
                }
                answers.add(new Answer(head.lines().findFirst().orElse(""), saidClose, closed));
                if (closed) {
                    break;
                }
            }
        }
        return answers;
    }

    private static void sleep(java.time.Duration pause) throws IOException {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted between two requests");
        }
    }

    /**
     * {@code GET path} on an HTTP/2 connection, once, or (with a {@code pause} over zero) twice, as
     * streams 1 and 3, {@code pause} apart unless the server sent GOAWAY after the first; the answer
     * to the last stream sent. {@code saidClose} is a GOAWAY from the server, {@code closed} whether it
     * then closed the connection. The status line is {@code :status 200} for the static table's 200
     * and {@code :status other} for anything else.
     */
    static Answer getHttp2(String address, int port, String host, String path, java.time.Duration pause)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
            java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(out, 0x4, 0, 0, new byte[0]); // our SETTINGS: the defaults
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            Answer answer = stream(socket, in, out, 1, host, path);
            if (!pause.isZero() && !answer.saidClose()) {
                sleep(pause);
                answer = stream(socket, in, out, 3, host, path);
            }
            return answer;
        }
    }

    /** Sends stream {@code id}'s request and reads until its answer is in (and a GOAWAY, if one comes within 1 s). */
    private static Answer stream(
            Socket socket, java.io.DataInputStream in, java.io.DataOutputStream out, int id, String host, String path)
            throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET (static table 2)
        block.write(0x86); // :scheme http (static table 6)
        literal(block, 4, path); // :path, name from the static table, value literal, not indexed
        literal(block, 1, host); // :authority
        frame(out, 0x1, 0x5, id, block.toByteArray()); // HEADERS, END_STREAM | END_HEADERS
        socket.setSoTimeout(5_000);
        String status = "";
        boolean answered = false;
        boolean goAway = false;
        boolean closed = false;
        while (!(answered && goAway)) {
            if (answered) {
                socket.setSoTimeout(1_000); // the answer is in: wait a moment for a GOAWAY
            }
            int length;
            try {
                length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            } catch (java.io.EOFException e) {
                closed = true;
                break;
            } catch (SocketTimeoutException stillOpen) {
                break;
            }
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fff_ffff;
            byte[] payload = in.readNBytes(length);
            if (type == 0x4 && (flags & 0x1) == 0) {
                try {
                    frame(out, 0x4, 0x1, 0, new byte[0]); // SETTINGS ACK
                } catch (IOException alreadyClosed) {
                    // a server that sent GOAWAY may have closed its side: what it sent is still read
                }
            } else if (type == 0x1 && stream == id) {
                status = payload.length > 0 && (payload[0] & 0xff) == 0x88 ? ":status 200" : ":status other";
                answered |= (flags & 0x1) != 0;
            } else if (type == 0x0 && stream == id) {
                answered |= (flags & 0x1) != 0;
            } else if (type == 0x7) {
                goAway = true;
            }
        }
        if (goAway && !closed) {
            socket.setSoTimeout(2_000);
            try {
                while (in.read() != -1) {
                    // drain whatever the server still sends before it closes
                }
                closed = true;
            } catch (SocketTimeoutException stillOpen) {
                closed = false;
            }
        }
        return new Answer(status, goAway, closed);
    }

    private static void frame(java.io.DataOutputStream out, int type, int flags, int stream, byte[] payload)
            throws IOException {
        out.writeByte(payload.length >>> 16);
        out.writeShort(payload.length & 0xffff);
        out.writeByte(type);
        out.writeByte(flags);
        out.writeInt(stream);
        out.write(payload);
        out.flush();
    }

    /** An HPACK literal header field without indexing, its name from the static table, value not Huffman-coded. */
    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > 126) {
            throw new IllegalArgumentException("the test's header values are short: " + value);
        }
        block.write(nameIndex);
        block.write(bytes.length);
        block.write(bytes, 0, bytes.length);
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
