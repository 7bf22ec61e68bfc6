package org.xenoservice.peer.server;

import org.xenoservice.peer.TlsEngine;

/**
 * Every test of {@link HttpsIT} again, on the OpenSSL engine: two tenants' certificates by SNI, an
 * alert for unknown and missing names, a new certificate on the next connection, HTTP/2 by ALPN,
 * TLS 1.2 and 1.3 only. Needs the system's libssl (Debian: {@code libssl3}); fails without it.
 */
class OpenSslHttpsIT extends HttpsIT {
    @Override
    TlsEngine engine() {
        return TlsEngine.OPENSSL;
    }
}
