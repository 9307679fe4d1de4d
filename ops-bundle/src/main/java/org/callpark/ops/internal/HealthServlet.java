package org.callpark.ops.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.callpark.spi.health.HealthCheck;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code GET /callpark/health}, for a load balancer or an orchestrator: {@code 200 {"status":"UP","checks":{…}}} or
 * {@code 503} with the part that is DOWN. No login (a probe has none) and nothing secret in it: statuses and short
 * figures only. It is served on Karaf's HTTP port, which the assembly binds to loopback by default, like the web UI.
 * docs/operations.md "Health".
 */
@Component(service = {Servlet.class, HealthServlet.class}, configurationPid = OpsSettings.PID, property = {
        "osgi.http.whiteboard.servlet.pattern=/callpark/health",
        "osgi.http.whiteboard.servlet.name=callpark-health" })
public final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(HealthServlet.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final transient Map<String, List<HealthCheck>> checks = new ConcurrentHashMap<>();
    private transient volatile OpsSettings settings;

    @Activate
    public HealthServlet(OpsConfig config) {
        this(OpsSettings.of(config, System::getProperty, System::getenv));
    }

    HealthServlet(OpsSettings settings) {
        this.settings = settings;
    }

    @Reference(service = HealthCheck.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addCheck(HealthCheck check, Map<String, Object> properties) {
        checks.computeIfAbsent(name(properties), k -> new CopyOnWriteArrayList<>()).add(check);
    }

    void removeCheck(HealthCheck check, Map<String, Object> properties) {
        List<HealthCheck> list = checks.get(name(properties));
        if (list != null) {
            list.remove(check);
        }
    }

    private static String name(Map<String, Object> properties) {
        Object name = properties.get(HealthCheck.NAME);
        return name == null ? "unnamed" : name.toString();
    }

    @Modified
    void modified(OpsConfig config) {
        try {
            settings = OpsSettings.of(config, System::getProperty, System::getenv);
        } catch (IllegalArgumentException e) {
            LOG.warn("{} (the previous settings stay)", e.getMessage());
        }
    }

    /** The report now: the servlet's answer, and {@code park:health}'s. */
    public Health.Report report() {
        Map<String, List<HealthCheck>> present = new LinkedHashMap<>();
        checks.forEach((name, list) -> {
            if (!list.isEmpty()) {
                present.put(name, new ArrayList<>(list));
            }
        });
        return Health.evaluate(present, settings.requiredChecks());
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        SecurityHeaders.apply(res);
        Health.Report report = report();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.status().name());
        body.put("checks", report.checks());
        body.put("details", report.details());
        res.setStatus(report.up() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        res.setContentType("application/json");
        res.setCharacterEncoding("UTF-8");
        JSON.writeValue(res.getOutputStream(), body);
    }
}
