package org.xenoservice.peer.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Counts what passes through into {@link SiteHandler.Sent}, before passing it on: Undertow's stream ends
 * the exchange, and so runs the handler's accounting, inside the write that completes the
 * Content-Length. A write that fails may so count up to one buffer the client never got.
 */
final class CountingOutputStream extends OutputStream {
    private final OutputStream out;
    private final SiteHandler.Sent sent;

    CountingOutputStream(OutputStream out, SiteHandler.Sent sent) {
        this.out = out;
        this.sent = sent;
    }

    @Override
    public void write(int b) throws IOException {
        sent.add(1);
        out.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        sent.add(length);
        out.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
