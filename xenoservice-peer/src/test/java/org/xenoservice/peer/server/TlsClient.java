package org.xenoservice.peer.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A TLS client for the HTTPS ITs that verifies for real: a context trusting only the test CA, SNI
 * and host-name verification on, over a socket to loopback (no name resolution needed). It speaks
 * HTTP/1.1 or just enough HTTP/2 for one GET, and can send a hand-made ClientHello of any version.
 */
final class TlsClient {
    private TlsClient() {}

    /** A verified TLS connection to {@code port} for host {@code sni}, offering {@code alpn}. */
    static SSLSocket connect(SSLContext context, int port, String sni, String... alpn) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        plain.setSoTimeout(10_000);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, sni, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        if (alpn.length > 0) {
            parameters.setApplicationProtocols(alpn);
        }
        tls.setSSLParameters(parameters);
        try {
            tls.startHandshake();
        } catch (IOException e) {
            tls.close();
            throw e;
        }
        return tls;
    }

    /** A TLS connection that sends no SNI at all (and so cannot check a host name). */
    static SSLSocket connectWithoutSni(SSLContext context, int port) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        plain.setSoTimeout(10_000);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of());
        tls.setSSLParameters(parameters);
        try {
            tls.startHandshake();
        } catch (IOException e) {
            tls.close();
            throw e;
        }
        return tls;
    }

    /** The leaf certificate the server presented. */
    static X509Certificate leaf(SSLSocket tls) throws IOException {
        return (X509Certificate) tls.getSession().getPeerCertificates()[0];
    }

    /** An HTTP/1.1 response: status line and body. */
    @SuppressWarnings("ArrayRecordComponent") // read once by the test, never compared
    record Response(String statusLine, String headers, byte[] body) {}

    /** {@code GET path} over HTTP/1.1 with {@code Connection: close}; reads to the end. */
    static Response get(SSLSocket tls, String host, String path) throws IOException {
        OutputStream out = tls.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] all = tls.getInputStream().readAllBytes();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String head = text.substring(0, end);
        byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        return new Response(head.substring(0, head.indexOf("\r\n")), head, body);
    }

    /**
     * {@code GET path} over HTTP/2 (after ALPN chose {@code h2}): the preface, SETTINGS, one HEADERS
     * frame (HPACK without Huffman), then frames until stream 1 ends. Returns the first byte of the
     * response's header block (0x88 is {@code :status 200} from the static table) and the body.
     */
    static Response getHttp2(SSLSocket tls, String host, String path) throws IOException {
        OutputStream out = tls.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(out, 0x4, 0, 0, new byte[0]);
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET
        block.write(0x87); // :scheme https
        literal(block, 4, path); // :path
        literal(block, 1, host); // :authority
        frame(out, 0x1, 0x5, 1, block.toByteArray()); // HEADERS, END_STREAM | END_HEADERS
        out.flush();
        DataInputStream in = new DataInputStream(tls.getInputStream());
        String status = "";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            if (type == 0x4 && (flags & 0x1) == 0) {
                frame(out, 0x4, 0x1, 0, new byte[0]); // SETTINGS ACK
                out.flush();
            } else if (type == 0x1 && stream == 1) {
                status = String.format("%02x", payload[0] & 0xff);
            } else if (type == 0x0 && stream == 1) {
                body.write(payload);
            } else if (type == 0x7) {
                throw new IOException("GOAWAY from the server");
            }
            if (stream == 1 && (type == 0x0 || type == 0x1) && (flags & 0x1) != 0) {
                return new Response(status, "", body.toByteArray());
            }
        }
    }

    /**
     * Sends a hand-made ClientHello offering only {@code version} (0x0302 for TLS 1.1, 0x0303 for
     * 1.2) for {@code sni} (null: no SNI extension), and returns the content type of the first record the server answers:
     * 22 (handshake: a ServerHello) or 21 (an alert), -1 if it closed.
     */
    static int helloAnswer(int port, int version, String sni) throws IOException {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        short16(hello, version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        hello.write(random);
        hello.write(0); // no session id
        int[] suites = {0xC02B, 0xC009, 0xC013, 0x002F};
        short16(hello, suites.length * 2);
        for (int suite : suites) {
            short16(hello, suite);
        }
        hello.write(1);
        hello.write(0); // null compression
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        if (sni != null) {
            byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
            extension(extensions, 0x0000, concat(shorts(name.length + 3), new byte[] {0}, shorts(name.length), name));
        }
        extension(extensions, 0x000a, concat(shorts(4), shorts(0x0017), shorts(0x001d)));
        extension(extensions, 0x000b, new byte[] {1, 0});
        extension(extensions, 0x000d, concat(shorts(6), shorts(0x0403), shorts(0x0804), shorts(0x0401)));
        short16(hello, extensions.size());
        hello.write(extensions.toByteArray());
        byte[] body = hello.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(22);
        short16(record, 0x0301);
        short16(record, body.length + 4);
        record.write(1); // client_hello
        record.write(body.length >> 16);
        short16(record, body.length & 0xffff);
        record.write(body);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(record.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return in.read();
        }
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(payload.length >> 16);
        out.write(payload.length >> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(new byte[] {(byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream});
        out.write(payload);
    }

    /** A literal header field without indexing, its name from the static table, its value plain. */
    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        block.write(nameIndex); // 0000 xxxx: literal without indexing, indexed name
        block.write(bytes.length); // under 127, no Huffman
        block.write(bytes, 0, bytes.length);
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] data) throws IOException {
        short16(out, type);
        short16(out, data.length);
        out.write(data);
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }

    private static byte[] shorts(int value) {
        return new byte[] {(byte) (value >> 8), (byte) value};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }
}
