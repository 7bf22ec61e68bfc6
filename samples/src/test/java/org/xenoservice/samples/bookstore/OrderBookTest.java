package org.xenoservice.samples.bookstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The order book: once per id, durable across restarts, torn tails cut, corruption refused. */
class OrderBookTest {
    private static final Instant AT = Instant.parse("2030-01-02T03:04:05.678Z");

    @TempDir
    Path dir;

    @Test
    void placesEachOrderIdOnce() throws IOException {
        try (OrderBook book = OrderBook.open(dir)) {
            assertTrue(book.place(order("a")));
            assertTrue(book.place(order("b")));
            assertFalse(book.place(order("a")));
            assertFalse(
                    book.place(new Order("a", "1726-gulliver", "other@example.org", 3, AT)),
                    "the id decides, not the content");
            assertEquals(2, book.count());
            assertEquals(2, book.duplicatesRefused());
            assertEquals(List.of(order("a"), order("b")), book.all());
            assertTrue(book.contains("b"));
        }
    }

    @Test
    void keepsOrdersAcrossARestart() throws IOException {
        placeAAndB();
        try (OrderBook book = OrderBook.open(dir)) {
            assertEquals(List.of(order("a"), order("b")), book.all());
            assertFalse(book.place(order("a")), "an id placed before the restart is still placed");
            assertTrue(book.place(order("c")));
            assertEquals(1, book.duplicatesRefused());
        }
        try (OrderBook book = OrderBook.open(dir)) {
            assertEquals(3, book.count());
        }
    }

    @Test
    void cutsATornLastRecordAtEveryOffset() throws IOException {
        Path file = dir.resolve(OrderBook.FILE_NAME);
        placeAAndB();
        long beforeLast = Files.size(file) - OrderBook.encode(order("b")).limit();
        byte[] whole = Files.readAllBytes(file);
        for (long length = beforeLast; length < whole.length; length++) {
            Files.write(file, Arrays.copyOf(whole, (int) length));
            try (OrderBook book = OrderBook.open(dir)) {
                assertEquals(List.of(order("a")), book.all(), "torn at " + length);
                assertEquals(beforeLast, Files.size(file), "the torn tail is cut off");
                assertTrue(book.place(order("b")), "the order that was never confirmed can be placed again");
            }
            try (OrderBook book = OrderBook.open(dir)) {
                assertEquals(List.of(order("a"), order("b")), book.all(), "torn at " + length);
            }
        }
    }

    @Test
    void cutsALastRecordWhoseBytesWereNotAllWritten() throws IOException {
        Path file = dir.resolve(OrderBook.FILE_NAME);
        placeAAndB();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x5a; // the last record's tail never reached the disk intact
        Files.write(file, bytes);
        try (OrderBook book = OrderBook.open(dir)) {
            assertEquals(List.of(order("a")), book.all());
        }
    }

    @Test
    void cutsAZeroFilledTail() throws IOException {
        Path file = dir.resolve(OrderBook.FILE_NAME);
        try (OrderBook book = OrderBook.open(dir)) {
            book.place(order("a"));
        }
        long size = Files.size(file);
        Files.write(file, new byte[100], StandardOpenOption.APPEND);
        try (OrderBook book = OrderBook.open(dir)) {
            assertEquals(1, book.count());
            assertEquals(size, Files.size(file));
        }
    }

    @Test
    void refusesCorruptionBeforeTheLastRecordNamingTheOffset() throws IOException {
        Path file = dir.resolve(OrderBook.FILE_NAME);
        placeAAndB();
        byte[] bytes = Files.readAllBytes(file);
        bytes[8 + 12] ^= 0x01; // inside the first record's payload
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> OrderBook.open(dir));
        assertTrue(e.getMessage().contains("corrupt at byte offset 8"), e.getMessage());
        assertEquals(bytes.length, Files.size(file), "nothing is cut off");
    }

    @Test
    void refusesAFileThatIsNotAnOrderBook() throws IOException {
        Files.writeString(dir.resolve(OrderBook.FILE_NAME), "id,book\n1,moby\n");
        IOException e = assertThrows(IOException.class, () -> OrderBook.open(dir));
        assertTrue(e.getMessage().contains("is not an order book"), e.getMessage());
    }

    @Test
    void refusesASecondOrderBookOnTheSameDirectory() throws IOException {
        try (OrderBook book = OrderBook.open(dir)) {
            IOException e = assertThrows(IOException.class, () -> OrderBook.open(dir));
            assertTrue(e.getMessage().contains("open in another OrderBook"), e.getMessage());
            assertTrue(book.place(order("a")), "the first one still works");
        }
        try (OrderBook book = OrderBook.open(dir)) {
            assertEquals(1, book.count());
        }
    }

    @Test
    void refusesToPlaceOnceClosed() throws IOException {
        OrderBook book = OrderBook.open(dir);
        book.close();
        book.close();
        assertThrows(IllegalStateException.class, () -> book.place(order("a")));
    }

    @Test
    void concurrentPlacersPlaceEachIdOnce() throws Exception {
        int threads = 6;
        int ids = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (OrderBook book = OrderBook.open(dir)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> placed = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<Integer> placer = () -> {
                    start.await();
                    int mine = 0;
                    for (int i = 0; i < ids; i++) {
                        mine += book.place(order("order-" + i)) ? 1 : 0;
                    }
                    return mine;
                };
                placed.add(pool.submit(placer));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> future : placed) {
                total += future.get();
            }
            assertEquals(ids, total, "each id placed by exactly one thread");
            assertEquals(ids, book.count());
            assertEquals((long) (threads - 1) * ids, book.duplicatesRefused());
            Set<String> unique = new HashSet<>();
            book.all().forEach(order -> assertTrue(unique.add(order.id())));
        } finally {
            pool.shutdownNow();
        }
        try (OrderBook book = OrderBook.open(dir)) {
            assertEquals(ids, book.count());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "ünïcode", "tab\there"})
    void anOrderRefusesABadId(String id) {
        assertThrows(IllegalArgumentException.class, () -> new Order(id, "1851-moby", "a@example.com", 1, AT));
        assertThrows(IllegalArgumentException.class, () -> order("x".repeat(Order.MAX_ID_CHARS + 1)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "reader",
                "reader@",
                "@example.com",
                "reader@example",
                "a b@example.com",
                "reader@example.com\r\nBcc: x@example.com",
                "<script>@example.com"
            })
    void anOrderRefusesABadEmail(String email) {
        assertThrows(IllegalArgumentException.class, () -> new Order("a", "1851-moby", email, 1, AT));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Order.MAX_QUANTITY + 1, Integer.MAX_VALUE})
    void anOrderRefusesABadQuantity(int quantity) {
        assertThrows(IllegalArgumentException.class, () -> new Order("a", "1851-moby", "a@example.com", quantity, AT));
    }

    @Test
    void anOrderMasksTheEmailInToString() {
        String text = order("a").toString();
        assertFalse(text.contains("reader@"), text);
        assertTrue(text.contains("r***@example.com"), text);
    }

    @Test
    void theFileIsForcedAndLockedNotLeftOpen() throws IOException {
        try (OrderBook book = OrderBook.open(dir)) {
            book.place(order("a"));
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(OrderBook.FILE_NAME), StandardOpenOption.WRITE)) {
            assertTrue(channel.tryLock() != null, "closing the book releases its lock");
        }
    }

    /** Places orders a and b in a book that is closed again. */
    private void placeAAndB() throws IOException {
        try (OrderBook book = OrderBook.open(dir)) {
            book.place(order("a"));
            book.place(order("b"));
        }
    }

    private static Order order(String id) {
        return new Order(id, "1851-moby-dick", "reader@example.com", 2, AT);
    }
}
