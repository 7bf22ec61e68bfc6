package org.xenoservice.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import java.util.stream.Stream;

/**
 * The runnable jar's log output: every event one line on stderr, for a terminal, a pipe or the
 * systemd journal, either as text ({@code 2025-05-01T10:00:00.123Z INFO PeerServer message}) or as
 * one JSON object per line ({@code timestamp}, {@code level}, {@code logger}, {@code thread},
 * {@code message}, and {@code error} when an exception came with it) for a log shipper. The jar's
 * SLF4J backend is {@code java.util.logging}; this is its formatter, so that no logging framework
 * is needed for either format. Install once, from {@code main}.
 */
final class LogLines extends Formatter {
    /** How each event is written. */
    enum Format {
        TEXT,
        JSON
    }

    /** Held here: java.util.logging keeps a logger's level only while someone holds the logger. */
    private static final List<Logger> CHATTY = Stream.of("org.xnio", "io.undertow", "io.netty", "org.jboss")
            .map(Logger::getLogger)
            .toList();

    private final Format format;

    /** A formatter writing {@code format}; {@link #install} is how the jar uses it. */
    LogLines(Format format) {
        this.format = format;
    }

    /**
     * Sends every log event at {@code level} or above to {@code err}, one line each, in
     * {@code format}; the chatty libraries under the peer (XNIO, Undertow) say warnings only.
     */
    static void install(Format format, Level level, PrintStream err) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        Handler handler = new StreamHandler(err, new LogLines(format)) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush(); // each event as it happens, for the journal and tail -f
            }

            @Override
            public synchronized void close() {
                flush(); // stderr stays open for the CLI's own messages
            }
        };
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        for (Logger chatty : CHATTY) {
            chatty.setLevel(level.intValue() < Level.INFO.intValue() ? level : Level.WARNING);
        }
    }

    @Override
    public String format(LogRecord record) {
        String timestamp = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(record.getMillis()));
        String level = level(record.getLevel());
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        String message = formatMessage(record);
        String error = record.getThrown() == null ? "" : describe(record.getThrown());
        if (format == Format.TEXT) {
            String shortName = logger.substring(logger.lastIndexOf('.') + 1);
            return oneLine(timestamp + " " + level + " " + shortName + " " + message
                            + (error.isEmpty() ? "" : " | " + error))
                    + System.lineSeparator();
        }
        StringBuilder line = new StringBuilder(128)
                .append("{\"timestamp\":")
                .append(quote(timestamp))
                .append(",\"level\":")
                .append(quote(level))
                .append(",\"logger\":")
                .append(quote(logger))
                .append(",\"thread\":")
                .append(quote(Thread.currentThread().getName()))
                .append(",\"message\":")
                .append(quote(message));
        if (!error.isEmpty()) {
            line.append(",\"error\":").append(quote(error));
        }
        return line.append('}').append(System.lineSeparator()).toString();
    }

    /** SLF4J's level names, which operators grep for. */
    private static String level(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (value >= Level.INFO.intValue()) {
            return "INFO";
        }
        return value >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    /** The exception and its causes on one line, with where each was thrown. */
    private static String describe(Throwable thrown) {
        StringBuilder text = new StringBuilder();
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (text.length() > 0) {
                text.append(" <- caused by ");
            }
            text.append(cause);
            StackTraceElement[] frames = cause.getStackTrace();
            if (frames.length > 0) {
                text.append(" at ").append(frames[0]);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return text.toString();
    }

    private static String oneLine(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** {@code text} as a JSON string. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
