package org.xenoservice.samples.bookstore;

import java.io.IOException;

/**
 * A catalogue file the shop refuses, with where and why: the line and column, so that whoever
 * edits the CSV by hand finds the mistake at once, and the problem as an enum for code.
 */
public final class CatalogueException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Problem {
        /** The file is empty, or its first line is not the expected header. */
        BAD_HEADER,
        /** A row has more or fewer columns than the header. */
        COLUMN_COUNT,
        /** A quote where none may be, or a quoted field that is not closed on its line. */
        BAD_QUOTES,
        /** A value is not valid for its column (e.g. a price that is not a price). */
        BAD_VALUE,
        /** An id appears twice. */
        DUPLICATE_ID,
        /** A blank line, an over-long line, or too many rows. */
        BAD_LINE
    }

    private final Problem problem;
    private final int line;
    private final int column;

    CatalogueException(Problem problem, int line, int column, String message) {
        super("line " + line + (column > 0 ? ", column " + column : "") + ": " + message);
        this.problem = problem;
        this.line = line;
        this.column = column;
    }

    /** What is wrong. */
    public Problem problem() {
        return problem;
    }

    /** The line, counted from 1 (the header is line 1). */
    public int line() {
        return line;
    }

    /** The column (field), counted from 1; 0 when the whole line is at fault. */
    public int column() {
        return column;
    }
}
