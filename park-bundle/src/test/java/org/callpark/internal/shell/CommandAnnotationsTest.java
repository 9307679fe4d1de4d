package org.callpark.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Completer;
import org.callpark.internal.shell.completers.CallIdCompleter;
import org.callpark.internal.shell.completers.ParkGroupCompleter;
import org.callpark.internal.shell.completers.SlotKeyCompleter;
import org.callpark.internal.shell.completers.TenantCompleter;
import org.junit.jupiter.api.Test;

/** What Karaf's command extender needs to find and wire the commands: the annotations. */
class CommandAnnotationsTest {

    private static final Map<Class<? extends Action>, String> COMMANDS = Map.of(
            ListCommand.class, "list",
            GroupsCommand.class, "groups",
            GroupCommand.class, "group",
            HangupCommand.class, "hangup",
            TenantsCommand.class, "tenants",
            UsersCommand.class, "users",
            RingGroupsCommand.class, "ringgroups");

    private static final Map<String, Class<?>> COMPLETION = Map.of(
            "tenant", TenantCompleter.class,
            "slot", SlotKeyCompleter.class,
            "group", ParkGroupCompleter.class,
            "call", CallIdCompleter.class);

    @Test
    void everyCommandIsAServiceInScopePark() {
        COMMANDS.forEach((type, name) -> {
            assertNotNull(type.getAnnotation(Service.class), type + " @Service");
            Command command = type.getAnnotation(Command.class);
            assertEquals("park", command.scope(), type.toString());
            assertEquals(name, command.name(), type.toString());
            assertFalse(command.description().isBlank(), type.toString());
        });
    }

    @Test
    void everyArgumentAndOptionIsDescribedAndCompletedWhereItNamesSomething() {
        COMMANDS.keySet().forEach(type -> {
            for (Field f : type.getDeclaredFields()) {
                Option option = f.getAnnotation(Option.class);
                Argument argument = f.getAnnotation(Argument.class);
                if (option == null && argument == null) {
                    continue;
                }
                String description = option != null ? option.description() : argument.description();
                assertFalse(description.isBlank(), type.getSimpleName() + "." + f.getName());
                Class<?> completer = COMPLETION.get(f.getName());
                if (completer != null) {
                    Completion completion = f.getAnnotation(Completion.class);
                    assertNotNull(completion, type.getSimpleName() + "." + f.getName() + " @Completion");
                    assertEquals(completer, completion.value(), type.getSimpleName() + "." + f.getName());
                }
            }
        });
    }

    @Test
    void servicesAreInjectedByKaraf() {
        COMMANDS.keySet().forEach(type -> assertTrue(List.of(type.getDeclaredFields()).stream()
                .anyMatch(f -> f.getAnnotation(Reference.class) != null), type.toString()));
    }

    @Test
    void completersAreServices() {
        for (Class<?> type : COMPLETION.values()) {
            assertTrue(Completer.class.isAssignableFrom(type), type.toString());
            assertNotNull(type.getAnnotation(Service.class), type + " @Service");
        }
    }
}
