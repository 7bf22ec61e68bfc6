package org.xenoservice.samples.bookstore;

import java.io.IOException;

/** The shop as a servlet web app in embedded Tomcat, behind {@code XenoFilter}. */
class BookstoreWebAppIT extends ShopScenarios {
    @Override
    Running start(BookstoreApp.Options options) throws IOException {
        BookstoreWebApp app = BookstoreWebApp.start(options);
        return new Running(app::port, app::queuedRequests, app::close);
    }
}
