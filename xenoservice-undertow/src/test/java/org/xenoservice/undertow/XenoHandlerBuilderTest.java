package org.xenoservice.undertow;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.ResponseCodeHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.key.SiteKeys;

/** The builder refuses, with a message that says what is wrong, what it could not route. */
class XenoHandlerBuilderTest {
    private static final HttpHandler OK = ResponseCodeHandler.HANDLE_200;

    @TempDir
    Path dir;

    private XenoService xeno;

    @BeforeEach
    void start() throws IOException {
        Path site = Files.createDirectories(dir.resolve("site"));
        xeno = XenoService.start(XenoConfig.builder()
                .site("books.example")
                .siteKey(SiteKeys.generate().getPrivate())
                .staticDirectory(site)
                .stateDirectory(dir.resolve("state"))
                .build());
    }

    @AfterEach
    void stop() {
        xeno.close();
    }

    @Test
    void rejectsPrefixWithoutLeadingSlash() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> XenoHandler.builder(xeno).dynamic("order", OK));
        assertTrue(e.getMessage().contains("but was order"), e.getMessage());
    }

    @Test
    void rejectsPrefixUnderXenoPaths() {
        assertThrows(
                IllegalArgumentException.class, () -> XenoHandler.builder(xeno).dynamic("/_xeno/mine", OK));
    }

    @Test
    void rejectsTheSamePrefixTwice() {
        XenoHandler.Builder builder = XenoHandler.builder(xeno).dynamic("/order", OK);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.dynamic("/order", OK));
        assertTrue(e.getMessage().contains("/order"), e.getMessage());
    }

    @Test
    void rejectsStaticDirectoryThatDoesNotExist() {
        assertThrows(
                IllegalArgumentException.class,
                () -> XenoHandler.builder(xeno).staticDirectory(dir.resolve("no-such-folder")));
    }

    @Test
    void rejectsNulls() {
        assertThrows(NullPointerException.class, () -> XenoHandler.wrap(xeno, null));
        assertThrows(NullPointerException.class, () -> XenoHandler.builder(null));
        assertThrows(NullPointerException.class, () -> XenoHandler.builder(xeno).dynamic("/order", null));
    }
}
