package org.callpark.internal;

import java.util.List;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;

/** Holds a directory built by the test; no validation. */
final class FakeDirectoryService implements DirectoryService {

    volatile Directory directory;

    FakeDirectoryService(Directory directory) {
        this.directory = directory;
    }

    @Override
    public Directory current() {
        return directory;
    }

    @Override
    public List<ParkException.Violation> validate(Directory candidate) {
        return List.of();
    }

    @Override
    public void update(Directory candidate) {
        directory = candidate;
    }
}
