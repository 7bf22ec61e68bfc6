package org.xenoservice.samples.bookstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.intake.CaptureHandler;
import org.xenoservice.protocol.CapturedRequest;

/**
 * The shop's dynamic logic, free of any web framework: searching the catalogue and placing an
 * order from a posted form. The Undertow app, the servlet app, the Spring Boot edition
 * ({@code samples/spring-bookstore}) and the capture handler all call it, and only translate
 * requests and replies. Safe for concurrent use.
 */
public final class Shop {
    private static final Logger LOG = LoggerFactory.getLogger(Shop.class);

    /** Longest search query, in characters. */
    static final int MAX_QUERY_CHARS = 200;
    /** Most search results shown. */
    static final int MAX_RESULTS = 50;
    /** Where a placed order is redirected. */
    static final String ORDER_RECEIVED = "/order-received.html";
    /** How long a client is asked to wait when the shop is too busy, in seconds. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final Catalogue catalogue;
    private final OrderBook orders;
    private final Clock clock;

    /** A shop selling from {@code catalogue}, placing orders in {@code orders} at {@code clock}'s time. */
    public Shop(Catalogue catalogue, OrderBook orders, Clock clock) {
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.orders = Objects.requireNonNull(orders, "orders");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** An answer to write: status, extra headers and an HTML body. */
    public record Reply(int status, Map<String, String> headers, String html) {
        /** Copies {@code headers}. */
        public Reply {
            headers = Map.copyOf(headers);
        }

        /** The HTML body, UTF-8. */
        public byte[] body() {
            return html.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** {@code GET /search?q=}: the books matching the query, as an HTML page. */
    public Reply search(String method, Optional<String> query) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return new Reply(
                    405, Map.of("Allow", "GET, HEAD"), error("Search with GET", "The search takes GET requests."));
        }
        String q = query.orElse("").strip();
        if (q.length() > MAX_QUERY_CHARS) {
            return new Reply(
                    400, Map.of(), error("Search", "Please search for at most " + MAX_QUERY_CHARS + " characters."));
        }
        StringBuilder main = new StringBuilder(Html.searchForm(q));
        if (q.isEmpty()) {
            main.append("    <p>Type a title, an author or a year.</p>\n");
        } else {
            List<Book> hits = catalogue.search(q, MAX_RESULTS + 1);
            main.append("    <p class=\"count\">")
                    .append(
                            hits.isEmpty()
                                    ? "No books match"
                                    : hits.size() > MAX_RESULTS
                                            ? "More than " + MAX_RESULTS + " books match"
                                            : hits.size() + (hits.size() == 1 ? " book matches" : " books match"))
                    .append(" <q>")
                    .append(Html.escape(q))
                    .append("</q>.</p>\n");
            main.append("    <ul class=\"books\">\n");
            for (Book book : hits.subList(0, Math.min(hits.size(), MAX_RESULTS))) {
                main.append(Html.bookItem(book));
            }
            main.append("    </ul>\n");
        }
        return new Reply(200, Map.of(), Html.page(q.isEmpty() ? "Search" : "Search: " + q, main.toString()));
    }

    /**
     * {@code POST /order}: places the order the form describes, once per order id, and redirects to
     * the thank-you page (also for an order id placed before: to the customer, a retry succeeded).
     * The order id is the form's {@code order-id}, else the {@code Idempotency-Key}, else a new one.
     */
    public Reply order(String method, Optional<String> contentType, Optional<String> idempotencyKey, byte[] body) {
        if (!method.equals("POST")) {
            return new Reply(
                    405, Map.of("Allow", "POST"), error("Order with the form", "Orders are sent with the order form."));
        }
        Order order;
        try {
            OrderForm form = OrderForm.parse(contentType, body);
            if (idempotencyKey.isPresent() && !Order.isId(idempotencyKey.get())) {
                throw new OrderForm.InvalidOrderException("The Idempotency-Key must be 1 to " + Order.MAX_ID_CHARS
                        + " printable characters without spaces.");
            }
            String id = form.orderId()
                    .or(() -> idempotencyKey)
                    .orElseGet(() -> UUID.randomUUID().toString());
            order = toOrder(form, id, clock.instant());
        } catch (OrderForm.InvalidOrderException e) {
            return new Reply(400, Map.of(), error("Your order could not be taken", e.getMessage()));
        }
        try {
            orders.place(order);
        } catch (IOException e) {
            LOG.error("could not place {}", order, e);
            return new Reply(
                    500,
                    Map.of(),
                    error(
                            "Your order could not be taken",
                            "Something went wrong on our side; please send the form again in a minute."));
        }
        return new Reply(
                303,
                Map.of("Location", ORDER_RECEIVED),
                Html.page("Thank you", "    <p><a href=\"" + ORDER_RECEIVED + "\">Your order is received.</a></p>\n"));
    }

    /** The page for a request the shop has no room for. */
    Reply busy() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        return new Reply(
                503,
                headers,
                error(
                        "The shop is very busy",
                        "So many readers are visiting that we cannot serve you just now; please try again in a moment."));
    }

    /**
     * Applies an order a replica captured: parsed as the live route parses it, placed with the
     * form's order id or else the capture's idempotency key, at the time the replica took it. A
     * malformed order is logged and dropped, not thrown: the intake would answer 500 and the peer
     * would deliver it again for ever, and no retry can mend a bad form.
     */
    public CaptureHandler captureHandler() {
        return request -> {
            Order order;
            try {
                if (!request.method().equals("POST")) {
                    throw new OrderForm.InvalidOrderException(
                            "a captured order must be a POST, but was " + request.method());
                }
                OrderForm form = OrderForm.parse(header(request, "Content-Type"), request.body());
                order = toOrder(form, form.orderId().orElse(request.idempotencyKey()), request.capturedAt());
            } catch (OrderForm.InvalidOrderException e) {
                LOG.error(
                        "dropping the order {} a replica captured: it is malformed ({}); no retry can mend it",
                        request.idempotencyKey(),
                        e.getMessage());
                return;
            }
            if (!orders.place(order)) {
                LOG.info("a replica delivered order {} again; it was placed before", order.id());
            }
        };
    }

    private Order toOrder(OrderForm form, String id, Instant placedAt) throws OrderForm.InvalidOrderException {
        if (catalogue.find(form.bookId()).isEmpty()) {
            throw new OrderForm.InvalidOrderException("There is no such book in the shop.");
        }
        return new Order(id, form.bookId(), form.email(), form.quantity(), placedAt);
    }

    private static Optional<String> header(CapturedRequest request, String name) {
        return request.headers().stream()
                .filter(h -> h.name().equalsIgnoreCase(name))
                .map(CapturedRequest.Header::value)
                .findFirst();
    }

    private static String error(String title, String message) {
        return Html.page(
                title,
                "    <p class=\"error\">" + Html.escape(message) + "</p>\n"
                        + "    <p><a href=\"/index.html\">Back to the shop</a></p>\n");
    }
}
