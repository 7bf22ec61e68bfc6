package org.xenoservice.samples.spring;

import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.xenoservice.protocol.CaptureDelivery;
import org.xenoservice.samples.bookstore.Shop;

/**
 * The shop's two dynamic routes in Spring MVC: {@code GET /search?q=} and {@code POST /order} (the
 * order form; 303 to {@code /order-received.html}, placed once per order id). It only translates:
 * the answers are {@link Shop}'s, the same as on Undertow, in Tomcat and in the capture handler.
 */
@RestController
class ShopController {
    private static final MediaType HTML_UTF8 = MediaType.parseMediaType("text/html;charset=UTF-8");

    private final Shop shop;

    ShopController(Shop shop) {
        this.shop = shop;
    }

    @GetMapping("/search")
    ResponseEntity<byte[]> search(@RequestParam(name = "q", required = false) String query) {
        return answer(shop.search("GET", Optional.ofNullable(query)));
    }

    /** The raw form: parsed by the shop as the capture handler parses what peers captured. */
    @PostMapping("/order")
    ResponseEntity<byte[]> order(
            @RequestHeader(name = "Content-Type", required = false) String contentType,
            @RequestHeader(name = CaptureDelivery.IDEMPOTENCY_KEY, required = false) String idempotencyKey,
            @RequestBody(required = false) byte[] body) {
        return answer(shop.order(
                "POST",
                Optional.ofNullable(contentType),
                Optional.ofNullable(idempotencyKey),
                body == null ? new byte[0] : body));
    }

    private static ResponseEntity<byte[]> answer(Shop.Reply reply) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(reply.status());
        reply.headers().forEach(response::header);
        return response.contentType(HTML_UTF8).body(reply.body());
    }
}
