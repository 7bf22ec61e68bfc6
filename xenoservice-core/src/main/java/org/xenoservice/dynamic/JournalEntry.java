package org.xenoservice.dynamic;

import java.util.Objects;
import org.xenoservice.protocol.CapturedRequest;

/**
 * One captured request in a {@link CaptureJournal}, with the sequence number the journal gave it.
 * Sequence numbers start at 1 and are dense: the n-th distinct request appended gets n.
 *
 * @param sequence the request's position in the journal, from 1
 * @param request the captured request
 */
public record JournalEntry(long sequence, CapturedRequest request) {
    /** Checks the sequence is positive and the request present. */
    public JournalEntry {
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be at least 1, but was " + sequence);
        }
        Objects.requireNonNull(request, "request");
    }
}
