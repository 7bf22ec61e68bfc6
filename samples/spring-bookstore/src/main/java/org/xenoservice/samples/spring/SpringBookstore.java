package org.xenoservice.samples.spring;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.xenoservice.samples.bookstore.Catalogue;
import org.xenoservice.samples.bookstore.OrderBook;
import org.xenoservice.samples.bookstore.Shop;
import org.xenoservice.spring.XenoConfigCustomizer;

/**
 * The bookstore as an ordinary Spring Boot app, to show that protecting one takes the starter and
 * properties: XenoService, its filter, health and endpoint come from {@code xenoservice-spring-boot-starter}
 * and {@code application.properties}. The one line of Java glue is {@link #capturedOrders}: which
 * code applies an order a peer captured during a flood is the app's to say, and no property can.
 *
 * <p>Run it with {@code samples/spring-bookstore/run.sh}; the pages are {@code classpath:/static},
 * written at build time by the samples' {@code SiteGenerator}.
 */
@SpringBootApplication
public class SpringBookstore {
    /** Used by Spring. */
    public SpringBookstore() {}

    /** Starts the shop; Spring Boot's arguments ({@code --server.port=9090} ...) apply. */
    public static void main(String[] args) {
        SpringApplication.run(SpringBookstore.class, args);
    }

    /** The books on sale, from the samples' {@code books.csv}. */
    @Bean
    public Catalogue catalogue() throws IOException {
        return Catalogue.load();
    }

    /** The orders, kept durably and once per order id in {@code bookstore.orders-directory}. */
    @Bean(destroyMethod = "close")
    public OrderBook orderBook(@Value("${bookstore.orders-directory}") Path directory) throws IOException {
        return OrderBook.open(directory);
    }

    /** Search and orders, free of any web framework: {@link ShopController} translates. */
    @Bean
    public Shop shop(Catalogue catalogue, OrderBook orders) {
        return new Shop(catalogue, orders, Clock.systemUTC());
    }

    /** Orders that peers captured during a flood go into the same order book, once per order id. */
    @Bean
    public XenoConfigCustomizer capturedOrders(Shop shop) {
        return config -> config.captureHandler(shop.captureHandler());
    }
}
