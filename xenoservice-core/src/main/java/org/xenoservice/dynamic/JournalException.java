package org.xenoservice.dynamic;

import java.io.IOException;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A {@link CaptureJournal} (a peer's captured requests) or a
 * {@link org.xenoservice.intake.CaptureIntake}'s ledger (the origin's applied idempotency keys)
 * could not be opened or written without risking what it keeps. {@link #reason()} is the
 * machine-readable reason and {@link #offset()} the byte offset in the file at fault, where there
 * is one; the message names the file and says what to do. A journal or ledger that throws this on
 * open is left exactly as it was found.
 */
public final class JournalException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the journal was refused. */
    public enum Reason {
        /** The file does not start with the expected file header: it is not a journal (or ledger). */
        NOT_A_JOURNAL,
        /** The file is a journal (or ledger) of a format version this library does not read. */
        VERSION,
        /** A damaged record is followed by intact ones: not a torn tail but corruption. */
        CORRUPT,
        /** Another journal or intake (in this or another process) holds the file open. */
        LOCKED,
        /** A write or fsync failed and the journal could not be restored; reopen it. */
        FAILED;

        /** The reason as it appears in messages, e.g. {@code not-a-journal}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;
    private final long offset;

    JournalException(Reason reason, long offset, String message) {
        this(reason, offset, message, null);
    }

    JournalException(Reason reason, long offset, String message, Throwable cause) {
        this("capture journal", reason, offset, message, cause);
    }

    /**
     * A refusal of another file of the journal's design than a capture journal (the origin's intake
     * ledger); {@code subject} names it, e.g. {@code intake ledger}.
     *
     * @param offset the byte offset at fault, or -1 when the problem is not at one place
     */
    public JournalException(String subject, Reason reason, long offset, String message, Throwable cause) {
        super(subject + " refused [" + reason.id() + "]: " + message, cause);
        this.reason = reason;
        this.offset = offset;
    }

    /** Why the journal was refused. */
    public Reason reason() {
        return reason;
    }

    /** The byte offset in the journal file at fault, if the problem is at one place. */
    public OptionalLong offset() {
        return offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset);
    }
}
