package org.xenoservice.samples.bookstore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shop's orders, kept at the origin durably and once per order id. The paper's bookstore must
 * never lose an order nor ship one twice: a customer who presses "Order" twice, a browser that
 * retries, and a replica that delivers a captured order again after a crash all come with the same
 * order id, and only the first is placed.
 *
 * <pre>{@code
 * try (OrderBook orders = OrderBook.open(Path.of("/var/lib/bookstore/orders"))) {
 *   boolean placed = orders.place(new Order(id, "1851-moby-dick-or-the", "reader@example.com", 1, Instant.now()));
 *   // placed is false if this id was placed before, in this run or an earlier one
 * }
 * }</pre>
 *
 * <h2>On disk</h2>
 * One append-only file, {@value #FILE_NAME}, in the directory: an 8-byte header, then one record
 * per order: its payload's length (4 bytes), a CRC32C of the length and payload (4 bytes), and
 * the payload (the order's fields). {@link #place} forces the record to the device before it
 * returns {@code true}. A crash mid-write leaves a torn last record, which {@link #open} cuts off
 * (that order was never confirmed to anyone); a damaged record followed by intact ones is
 * corruption, which {@code open} refuses, naming the byte offset, rather than drop orders silently.
 * The file is locked while open, so that two order books never write it at once.
 *
 * <p>Safe for concurrent use: placing is serialised, one fsync per order.
 */
public final class OrderBook implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrderBook.class);

    /** The file's name in the order book's directory. */
    public static final String FILE_NAME = "orders.log";

    private static final byte[] MAGIC = "BKORDER1".getBytes(StandardCharsets.US_ASCII);
    private static final int RECORD_HEADER_BYTES = 8;
    private static final int MAX_PAYLOAD_BYTES = 4096;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Set<String> ids = new HashSet<>();
    private final List<Order> orders = new ArrayList<>();
    private long size;
    private long duplicates;
    private boolean failed;
    private boolean closed;

    private OrderBook(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Opens the order book in {@code directory}, creating both when absent, and reads back the orders
     * placed before.
     *
     * @throws IOException if the file is not an order book, is corrupt before its last record (the
     *     message names the offset), is open in another order book, or cannot be read or created
     */
    public static OrderBook open(Path directory) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Files.createDirectories(directory);
        Path file = directory.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            create(directory, file);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException(file + " is open in another OrderBook; close that one first");
            }
            OrderBook book = new OrderBook(file, channel, lock);
            book.recover();
            return book;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Places an order once: {@code true} if its id is new, after the order is on the device;
     * {@code false}, placing nothing, if an order with that id was placed before.
     *
     * @throws IOException if the order could not be written; it is then not placed, and a retry may
     *     place it
     * @throws IllegalStateException if the order book is closed
     */
    public synchronized boolean place(Order order) throws IOException {
        Objects.requireNonNull(order, "order");
        if (closed) {
            throw new IllegalStateException("the order book " + file + " is closed");
        }
        if (failed) {
            throw new IOException(
                    "the order book " + file + " failed an earlier write and could not undo it; reopen it");
        }
        if (ids.contains(order.id())) {
            duplicates++;
            LOG.debug("order {} was placed before; not placing it again", order.id());
            return false;
        }
        ByteBuffer record = encode(order);
        long at = size;
        try {
            while (record.hasRemaining()) {
                channel.write(record, at + record.position());
            }
            channel.force(false);
        } catch (IOException e) {
            try {
                channel.truncate(at);
                channel.force(false);
            } catch (IOException undo) {
                failed = true;
                e.addSuppressed(undo);
            }
            throw e;
        }
        size = at + record.limit();
        ids.add(order.id());
        orders.add(order);
        LOG.info("placed {}", order);
        return true;
    }

    /** How many orders have been placed, in this run and before. */
    public synchronized long count() {
        return orders.size();
    }

    /** How many times {@link #place} refused an order id placed before, since this book was opened. */
    public synchronized long duplicatesRefused() {
        return duplicates;
    }

    /** Every order, in the order they were placed. */
    public synchronized List<Order> all() {
        return List.copyOf(orders);
    }

    /** Whether an order with this id has been placed. */
    public synchronized boolean contains(String orderId) {
        return ids.contains(orderId);
    }

    /** Releases the file; later {@link #place} calls throw. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    @Override
    public synchronized String toString() {
        return "OrderBook[" + file + ", " + orders.size() + " orders]";
    }

    private static void create(Path directory, Path file) throws IOException {
        Path fresh = directory.resolve(FILE_NAME + ".new");
        try (FileChannel out = FileChannel.open(
                fresh, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(MAGIC));
            out.force(true);
        }
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force directory {} (not supported on this platform): {}", directory, e.getMessage());
        }
    }

    /** Reads every record, cuts off a torn last one, refuses corruption before it. */
    private void recover() throws IOException {
        long length = channel.size();
        if (length > Integer.MAX_VALUE) {
            throw new IOException(file + " is larger than 2 GiB; this sample's order book does not go that far");
        }
        ByteBuffer all = ByteBuffer.allocate((int) length);
        while (all.hasRemaining() && channel.read(all, all.position()) >= 0) {
            // read it all
        }
        all.flip();
        byte[] header = new byte[Math.min(MAGIC.length, all.remaining())];
        all.get(0, header);
        if (!Arrays.equals(header, MAGIC)) {
            throw new IOException(file + " is not an order book (its header is not "
                    + new String(MAGIC, StandardCharsets.US_ASCII) + "); move it away or open another directory");
        }
        int at = MAGIC.length;
        while (at < length) {
            int remaining = (int) length - at;
            if (remaining < RECORD_HEADER_BYTES) {
                cutTornTail(at, "a record header is incomplete");
                return;
            }
            int payloadLength = all.getInt(at);
            int checksum = all.getInt(at + 4);
            if (payloadLength < 1 || payloadLength > MAX_PAYLOAD_BYTES) {
                if (zeroFrom(all, at)) {
                    cutTornTail(at, "the tail is zero-filled");
                    return;
                }
                throw corrupt(at, "a record length of " + payloadLength + " bytes");
            }
            if (payloadLength > remaining - RECORD_HEADER_BYTES) {
                cutTornTail(at, "the last record is incomplete");
                return;
            }
            int end = at + RECORD_HEADER_BYTES + payloadLength;
            if (checksum(all, at, payloadLength) != checksum) {
                if (end == length) {
                    cutTornTail(at, "the last record's checksum does not match");
                    return;
                }
                throw corrupt(at, "a record whose checksum does not match, followed by more records");
            }
            Order order;
            try {
                order = decode(all.slice(at + RECORD_HEADER_BYTES, payloadLength));
            } catch (IOException | RuntimeException e) {
                throw corrupt(at, "a record that is not an order (" + e.getMessage() + ")");
            }
            if (!ids.add(order.id())) {
                throw corrupt(at, "order id " + order.id() + " a second time");
            }
            orders.add(order);
            at = end;
        }
        size = at;
        LOG.debug("opened {}: {} orders", file, orders.size());
    }

    private void cutTornTail(int at, String why) throws IOException {
        LOG.warn(
                "{}: cutting off {} bytes at offset {}, a write torn by a crash ({}); that order was never confirmed",
                file,
                channel.size() - at,
                at,
                why);
        channel.truncate(at);
        channel.force(false);
        size = at;
    }

    private IOException corrupt(int at, String what) {
        return new IOException(file + " is corrupt at byte offset " + at + ": " + what
                + "; restore it from a backup or repair it by hand, as dropping orders silently is worse");
    }

    private static boolean zeroFrom(ByteBuffer all, int at) {
        for (int i = at; i < all.limit(); i++) {
            if (all.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int checksum(ByteBuffer all, int at, int payloadLength) {
        CRC32C crc = new CRC32C();
        crc.update(all.slice(at, 4));
        crc.update(all.slice(at + RECORD_HEADER_BYTES, payloadLength));
        return (int) crc.getValue();
    }

    static ByteBuffer encode(Order order) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0); // the length, set below
            out.writeInt(0); // the checksum, set below
            out.writeUTF(order.id());
            out.writeUTF(order.bookId());
            out.writeUTF(order.customerEmail());
            out.writeInt(order.quantity());
            Instant placedAt = order.placedAt();
            out.writeLong(placedAt.getEpochSecond());
            out.writeInt(placedAt.getNano());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        ByteBuffer record = ByteBuffer.wrap(bytes.toByteArray());
        int payloadLength = record.limit() - RECORD_HEADER_BYTES;
        if (payloadLength > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("the order is too large to record: " + payloadLength + " bytes");
        }
        record.putInt(0, payloadLength);
        record.putInt(4, checksum(record, 0, payloadLength));
        return record;
    }

    private static Order decode(ByteBuffer payload) throws IOException {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            String id = in.readUTF();
            String bookId = in.readUTF();
            String email = in.readUTF();
            int quantity = in.readInt();
            Instant placedAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            if (in.available() != 0) {
                throw new IOException(in.available() + " bytes after the order's fields");
            }
            return new Order(id, bookId, email, quantity, placedAt);
        }
    }
}
