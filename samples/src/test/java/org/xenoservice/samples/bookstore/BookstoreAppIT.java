package org.xenoservice.samples.bookstore;

import java.io.IOException;

/** The shop on Undertow, behind {@code XenoHandler}. */
class BookstoreAppIT extends ShopScenarios {
    @Override
    Running start(BookstoreApp.Options options) throws IOException {
        BookstoreApp app = BookstoreApp.start(options);
        return new Running(app::port, app::queuedRequests, app::close);
    }
}
