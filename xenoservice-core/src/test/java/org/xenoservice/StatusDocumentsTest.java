package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.replicate.ReplicationPhase;
import org.xenoservice.replicate.ReplicationStatus;

/** What {@code /_xeno/status} shows of the addresses in DNS. */
class StatusDocumentsTest {
    @Test
    void addressesInDnsAreInTheirCanonicalForm() throws IOException {
        ReplicationStatus replication = new ReplicationStatus(
                ReplicationPhase.DEFENDING,
                OverloadState.OVERLOADED,
                OptionalLong.of(3),
                Optional.empty(),
                1,
                List.of(),
                List.of(
                        InetAddress.getByName("192.0.2.10"),
                        InetAddress.getByName("2001:db8:0:0:0:0:0:10"),
                        InetAddress.getByName("0:0:0:0:0:0:0:1")),
                true,
                1,
                0,
                List.of());
        OverloadSnapshot overload = new OverloadSnapshot(
                OverloadState.OVERLOADED, Duration.ofSeconds(1), false, true, Map.of(), 100, 150, 1);
        XenoStatus status = new XenoStatus("books.example", 10, 2, overload, replication, Optional.empty());

        JsonNode json = new ObjectMapper().readTree(StatusDocuments.json(status));

        assertEquals(
                List.of("192.0.2.10", "2001:db8::10", "::1"),
                new ObjectMapper().convertValue(json.path("replication").path("addressesInDns"), List.class));
    }
}
