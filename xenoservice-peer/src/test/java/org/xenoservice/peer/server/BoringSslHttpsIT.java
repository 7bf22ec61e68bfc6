package org.xenoservice.peer.server;

import org.xenoservice.peer.TlsEngine;

/**
 * Every test of {@link HttpsIT} again, on the BoringSSL engine: two tenants' certificates by SNI,
 * an alert for unknown and missing names, a new certificate on the next connection, HTTP/2 by ALPN,
 * TLS 1.2 and 1.3 only. Fails, never skips, where BoringSSL does not load.
 */
class BoringSslHttpsIT extends HttpsIT {
    @Override
    TlsEngine engine() {
        return TlsEngine.BORINGSSL;
    }
}
