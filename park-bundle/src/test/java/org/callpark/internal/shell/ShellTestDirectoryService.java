package org.callpark.internal.shell;

import java.util.List;

import org.callpark.api.Directory;
import org.callpark.api.DirectoryService;
import org.callpark.api.ParkException;

/** A hand-written DirectoryService for the shell tests: a fixed directory; the shell never changes it. */
public class ShellTestDirectoryService implements DirectoryService {

    private final Directory directory;

    public ShellTestDirectoryService(Directory directory) {
        this.directory = directory;
    }

    @Override
    public Directory current() {
        return directory;
    }

    @Override
    public List<ParkException.Violation> validate(Directory candidate) {
        throw new UnsupportedOperationException("the shell does not validate");
    }

    @Override
    public void update(Directory candidate) {
        throw new UnsupportedOperationException("the shell does not update the directory");
    }
}
