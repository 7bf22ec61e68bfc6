package org.xenoservice.bundle;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A static source held in memory, for large trees without disk I/O. */
final class MemorySource implements StaticSource {
    private final TreeMap<String, byte[]> files;

    MemorySource(Map<String, byte[]> files) {
        this.files = new TreeMap<>(files);
    }

    @Override
    public List<SourceFile> files() {
        List<SourceFile> list = new ArrayList<>(files.size());
        files.forEach((path, bytes) -> list.add(new SourceFile(path, bytes.length, SiteTrees.MTIME)));
        return list;
    }

    @Override
    public InputStream open(SourceFile file) {
        return new ByteArrayInputStream(files.get(file.path()));
    }

    @Override
    public String describe() {
        return "memory (" + files.size() + " files)";
    }
}
