package edu.niu.igait.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import edu.niu.igait.config.StartupException;
import edu.niu.igait.failure.RouteError;
import edu.niu.igait.job.JobView;
import edu.niu.igait.mail.MailTemplates;
import edu.niu.igait.stages.DeadLetter;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ExpressionSubElementDefinition;
import org.apache.camel.model.FilterDefinition;
import org.apache.camel.model.HasExpressionType;
import org.apache.camel.model.LogDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.OnWhenDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.model.ValidateDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.language.ExpressionDefinition;
import org.apache.camel.model.language.MethodCallExpression;
import org.apache.camel.spi.Language;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.DefaultExchange;

/**
 * Every route is compiled before the service starts, so that a mistake in {@code routes/} stops the
 * start-up with one line naming its file and line, instead of failing the first job that meets it:
 * <ul>
 * <li>every Simple expression parses (Camel parses most of them itself, but names only the route);</li>
 * <li>every bean a step names exists and has a method of that name, taking that many values, whether the
 * step is {@code bean:}, {@code method:} or {@code ${bean:name?method=...}} inside an expression (Camel
 * looks those up only when a job runs them), and the values passed to it parse;</li>
 * <li>every property read off the job view ({@code ${exchangeProperty.job.status.code}}) exists;</li>
 * <li>every Mustache template a {@code mustache:} endpoint renders is one (a tag left open renders as
 * nothing, silently: {@link MailTemplates#check(Path)});</li>
 * <li>a stage's give-up policy ({@code onGiveUp}) is {@code fail} or {@code note}.</li>
 * </ul>
 * Routes whose precondition is false (the pipeline's, with {@code igait.pipeline.enabled=false}) are
 * not looked at: their beans are not made.
 */
final class RouteCheck extends MainListenerSupport {

    /** Exchange properties the stage template gives every stage, whose getters a route may read. */
    private static final Map<String, Class<?>> TYPED_PROPERTIES = Map.of("job", JobView.class);

    @Override
    public void beforeStart(BaseMainSupport main) {
        check(main.getCamelContext());
    }

    /** Throws a StartupException naming the first mistake: {@code <file>:<line>: route <id>: <what>}. */
    static void check(CamelContext context) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        if (model == null) {
            return;
        }
        RouteCheck.Checker checker = new Checker(context);
        for (RouteConfigurationDefinition configuration : model.getRouteConfigurationDefinitions()) {
            if (!checker.included(configuration.getPrecondition())) {
                continue;
            }
            for (OnExceptionDefinition onException : configuration.getOnExceptions()) {
                String where = "route configuration " + configuration.getId();
                checker.subElement(onException.getRetryWhile(), onException, where);
                checker.subElement(onException.getHandled(), onException, where);
                checker.subElement(onException.getContinued(), onException, where);
                OnWhenDefinition onWhen = onException.getOnWhen();
                if (onWhen != null) {
                    checker.expression(onWhen.getExpressionType(), true, onException, where);
                }
                checker.outputs(onException.getOutputs(), where);
            }
        }
        for (RouteDefinition route : model.getRouteDefinitions()) {
            if (!checker.included(route.getPrecondition())) {
                continue;
            }
            checker.route(route);
        }
        checker.templates();
    }

    /** One pass over the model, with what it has found so far. */
    private static final class Checker {
        private final CamelContext context;
        private final PropertiesComponent properties;
        private final Language simple;
        /** The templates mustache: endpoints render: a file, or a folder's files with an ending, and where the endpoint is. */
        private final List<String[]> templates = new ArrayList<>();

        Checker(CamelContext context) {
            this.context = context;
            this.properties = context.getPropertiesComponent();
            this.simple = context.resolveLanguage("simple");
        }

        boolean included(String precondition) {
            if (precondition == null || precondition.isBlank()) {
                return true;
            }
            String resolved = context.resolvePropertyPlaceholders(precondition);
            return simple.createPredicate(resolved).matches(new DefaultExchange(context));
        }

        void route(RouteDefinition route) {
            String where = "route " + route.getRouteId();
            Map<String, Object> parameters = route.getTemplateParameters();
            if (parameters != null) {
                Object onGiveUp = parameters.get("onGiveUp");
                if (onGiveUp != null && !DeadLetter.FAIL.equals(onGiveUp) && !DeadLetter.NOTE.equals(onGiveUp)) {
                    throw new StartupException("templatedRoute " + route.getRouteId() + ": onGiveUp must be fail or note, got '"
                            + onGiveUp + "'");
                }
                Properties local = new Properties();
                parameters.forEach((k, v) -> local.setProperty(k, String.valueOf(v)));
                properties.setLocalProperties(local);
            }
            try {
                outputs(route.getOutputs(), where);
            } finally {
                if (parameters != null) {
                    properties.setLocalProperties(null);
                }
            }
        }

        void outputs(List<ProcessorDefinition<?>> outputs, String where) {
            for (ProcessorDefinition<?> node : outputs) {
                node(node, where);
            }
        }

        private void node(ProcessorDefinition<?> node, String where) {
            if (node instanceof ChoiceDefinition choice) {
                for (WhenDefinition when : choice.getWhenClauses()) {
                    expression(when.getExpressionType(), true, when, where);
                    outputs(when.getOutputs(), where);
                }
                if (choice.getOtherwise() != null) {
                    outputs(choice.getOtherwise().getOutputs(), where);
                }
                return;
            }
            if (node instanceof HasExpressionType typed && typed.getExpressionType() != null) {
                boolean predicate = node instanceof FilterDefinition || node instanceof ValidateDefinition;
                expression(typed.getExpressionType(), predicate, node, where);
            }
            if (node instanceof LogDefinition log && log.getMessage() != null) {
                simple(log.getMessage(), false, node, where);
            }
            if (node instanceof BeanDefinition bean) {
                String ref = bean.getRef();
                Object target = ref != null ? bean(ref, node, where) : null;
                Class<?> type = target != null ? target.getClass() : beanType(bean.getBeanType(), node, where);
                if (type != null && bean.getMethod() != null) {
                    method(ref != null ? "bean " + ref : "class " + type.getName(), type, bean.getMethod(), node, where);
                }
            }
            if (node instanceof ToDynamicDefinition dynamic && dynamic.getUri() != null) {
                String uri = resolve(dynamic.getUri(), node, where);
                simple(uri, false, node, where);
                template(uri, node, where);
            } else if (node instanceof SendDefinition<?> send && send.getUri() != null) {
                template(resolve(send.getUri(), node, where), node, where);
            }
            outputs(node.getOutputs(), where);
        }

        void subElement(ExpressionSubElementDefinition element, NamedNode node, String where) {
            if (element != null) {
                expression(element.getExpressionType(), true, node, where);
            }
        }

        void expression(ExpressionDefinition expression, boolean predicate, NamedNode node, String where) {
            if (expression == null) {
                return;
            }
            if (expression instanceof MethodCallExpression call) {
                Object target = call.getRef() != null ? bean(call.getRef(), node, where) : null;
                Class<?> type = target != null ? target.getClass()
                        : call.getBeanType() != null ? call.getBeanType() : beanType(call.getBeanTypeName(), node, where);
                if (type != null && call.getMethod() != null) {
                    method(call.getRef() != null ? "bean " + call.getRef() : "class " + type.getName(), type, call.getMethod(), node, where);
                }
                return;
            }
            if ("simple".equals(expression.getLanguage()) && expression.getExpression() != null) {
                simple(resolve(expression.getExpression(), node, where), predicate, node, where);
            }
        }

        /** A Simple text: it parses, and the beans and job properties it names exist. */
        void simple(String text, boolean predicate, NamedNode node, String where) {
            if (!text.contains("${") && !predicate) {
                return;
            }
            try {
                if (predicate) {
                    simple.createPredicate(text);
                } else {
                    simple.createExpression(text);
                }
            } catch (RuntimeException e) {
                throw fail(node, where, quote(text) + " does not parse: " + oneLine(e.getMessage()));
            }
            for (String function : functions(text, "${bean:")) {
                beanFunction(function, text, node, where);
            }
            for (Map.Entry<String, Class<?>> typed : TYPED_PROPERTIES.entrySet()) {
                for (String function : functions(text, "${exchangeProperty." + typed.getKey())) {
                    ognl(function.substring(("exchangeProperty." + typed.getKey()).length()), typed.getKey(), typed.getValue(), text,
                            node, where);
                }
            }
        }

        /** {@code bean:name}, {@code bean:name.method}, {@code bean:name?method=m(...)}, {@code bean:name::m}. */
        private void beanFunction(String function, String text, NamedNode node, String where) {
            String rest = function.substring("bean:".length());
            if (rest.startsWith("type:")) {
                return;
            }
            int end = indexOfAny(rest, "?.:(");
            String name = end < 0 ? rest : rest.substring(0, end);
            Object target = bean(name, node, where);
            String method = null;
            if (end >= 0) {
                String after = rest.substring(end);
                if (after.startsWith("?method=")) {
                    method = after.substring("?method=".length());
                } else if (after.startsWith("::")) {
                    method = after.substring(2);
                } else if (after.startsWith(".")) {
                    method = after.substring(1);
                }
            }
            if (method != null && !method.isBlank()) {
                method("bean " + name + " (in " + quote(text) + ")", target.getClass(), method, node, where);
            }
        }

        /** {@code .status.code} read off a typed property: each name a getter (or a method without values) of the type before it. */
        private void ognl(String chain, String property, Class<?> type, String text, NamedNode node, String where) {
            Class<?> current = type;
            String path = "exchangeProperty." + property;
            for (String segment : chain.split("\\??\\.")) {
                if (segment.isEmpty()) {
                    continue;
                }
                if (current == null || !current.getName().startsWith("edu.niu.igait.")) {
                    return;
                }
                String name = segment.replaceFirst("\\(\\)$", "");
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    return;
                }
                Method found = readable(current, name);
                if (found == null) {
                    throw fail(node, where, quote(text) + ": " + path + " has no property " + name + nearest(name, readableNames(current))
                            + " (it has " + String.join(", ", readableNames(current)) + ")");
                }
                path += "." + name;
                current = found.getReturnType();
            }
        }

        private static Method readable(Class<?> type, String name) {
            String cap = Character.toUpperCase(name.charAt(0)) + name.substring(1);
            for (String candidate : new String[] {"get" + cap, "is" + cap, name}) {
                for (Method m : type.getMethods()) {
                    if (m.getName().equals(candidate) && m.getParameterCount() == 0 && m.getDeclaringClass() != Object.class) {
                        return m;
                    }
                }
            }
            return null;
        }

        private static List<String> readableNames(Class<?> type) {
            Set<String> names = new TreeSet<>();
            for (Method m : type.getMethods()) {
                if (m.getParameterCount() != 0 || m.getDeclaringClass() == Object.class) {
                    continue;
                }
                String n = m.getName();
                if (n.startsWith("get") && n.length() > 3) {
                    names.add(Character.toLowerCase(n.charAt(3)) + n.substring(4));
                } else if (n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class) {
                    names.add(Character.toLowerCase(n.charAt(2)) + n.substring(3));
                }
            }
            return List.copyOf(names);
        }

        /** A bean's method, as a step names it: {@code name} or {@code name(value, value, ...)}. */
        private void method(String what, Class<?> type, String method, NamedNode node, String where) {
            String spec = method.strip();
            int open = spec.indexOf('(');
            String name = (open < 0 ? spec : spec.substring(0, open)).strip();
            List<String> values = null;
            if (open >= 0) {
                int close = spec.lastIndexOf(')');
                if (close < open) {
                    throw fail(node, where, what + ": the method " + quote(spec) + " has no closing parenthesis");
                }
                values = split(spec.substring(open + 1, close));
            }
            List<Method> named = new ArrayList<>();
            Set<String> names = new TreeSet<>();
            for (Method m : type.getMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && m.getDeclaringClass() != Object.class) {
                    names.add(m.getName());
                    if (m.getName().equals(name)) {
                        named.add(m);
                    }
                }
            }
            if (named.isEmpty()) {
                throw fail(node, where, what + " (" + type.getName() + ") has no method " + name + nearest(name, names));
            }
            if (values == null) {
                return;
            }
            int count = values.size();
            if (named.stream().noneMatch(m -> m.getParameterCount() == count || (m.isVarArgs() && count >= m.getParameterCount() - 1))) {
                throw fail(node, where, what + ": " + name + " takes " + named.stream().map(m -> Integer.toString(m.getParameterCount()))
                        .distinct().sorted().reduce((a, b) -> a + " or " + b).orElse("?") + " values, the step gives " + count + " ("
                        + quote(spec) + ")");
            }
            for (String value : values) {
                if (value.contains("${")) {
                    simple(value, false, node, where);
                }
            }
        }

        private Object bean(String name, NamedNode node, String where) {
            String ref = name.startsWith("#bean:") ? name.substring(6) : name.startsWith("#") ? name.substring(1) : name;
            Object bean = context.getRegistry().lookupByName(ref);
            if (bean == null) {
                throw fail(node, where, "no bean named " + ref + nearest(ref, context.getRegistry().findByTypeWithName(Object.class).keySet()));
            }
            return bean;
        }

        private Class<?> beanType(String name, NamedNode node, String where) {
            if (name == null) {
                return null;
            }
            try {
                return context.getClassResolver().resolveMandatoryClass(name);
            } catch (ClassNotFoundException e) {
                throw fail(node, where, "no class " + name + " for the bean step");
            }
        }

        /** A {@code mustache:} endpoint's template(s), checked once the routes are: a file, or every file a dynamic name may take. */
        private void template(String uri, NamedNode node, String where) {
            if (!uri.startsWith("mustache:")) {
                return;
            }
            String resource = uri.substring("mustache:".length());
            int query = resource.indexOf('?');
            if (query >= 0) {
                resource = resource.substring(0, query);
            }
            if (!resource.startsWith("file:")) {
                return;
            }
            templates.add(new String[] {resource.substring("file:".length()), location(node) + where});
        }

        /** Every template found: each parses (MailTemplates.check), read as the endpoint would read it now. */
        void templates() {
            for (String[] template : templates) {
                String path = template[0];
                int dynamic = path.indexOf("${");
                List<Path> files = new ArrayList<>();
                if (dynamic < 0) {
                    files.add(Path.of(path));
                } else {
                    String prefix = path.substring(0, dynamic);
                    Path dir = Path.of(prefix.contains("/") ? prefix.substring(0, prefix.lastIndexOf('/') + 1) : ".");
                    String ending = path.substring(path.lastIndexOf('}') + 1);
                    if (!Files.isDirectory(dir)) {
                        throw new StartupException(template[1] + ": the mail templates' folder " + dir.toAbsolutePath() + " does not exist");
                    }
                    try (Stream<Path> list = Files.list(dir)) {
                        list.filter(p -> p.getFileName().toString().endsWith(ending) && Files.isRegularFile(p)).sorted().forEach(files::add);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot list " + dir, e);
                    }
                }
                for (Path file : files) {
                    try {
                        MailTemplates.check(file);
                    } catch (RouteError e) {
                        throw new StartupException(e.getMessage() + " (rendered by " + template[1] + ")");
                    }
                }
            }
        }

        private String resolve(String text, NamedNode node, String where) {
            try {
                return context.resolvePropertyPlaceholders(text);
            } catch (RuntimeException e) {
                throw fail(node, where, oneLine(e.getMessage()));
            }
        }

        private static StartupException fail(NamedNode node, String where, String what) {
            return new StartupException(location(node) + where + ", step " + node.getShortName() + ": " + what);
        }

        /** {@code routes/stages/3b-webhook.yaml:27: } when Camel knows it. */
        private static String location(NamedNode node) {
            if (node == null || node.getLocation() == null) {
                return "";
            }
            return node.getLocation().replaceFirst("^(file|classpath):", "") + (node.getLineNumber() > 0 ? ":" + node.getLineNumber() : "")
                    + ": ";
        }
    }

    /** The texts of the functions starting with {@code start} (e.g. {@code ${bean:}), without {@code ${} and {@code }}, nested ones whole. */
    static List<String> functions(String text, String start) {
        List<String> found = new ArrayList<>();
        int at = 0;
        while ((at = text.indexOf(start, at)) >= 0) {
            int depth = 0;
            int i = at;
            for (; i < text.length(); i++) {
                if (text.startsWith("${", i)) {
                    depth++;
                    i++;
                } else if (text.charAt(i) == '}') {
                    depth--;
                    if (depth == 0) {
                        break;
                    }
                }
            }
            if (i >= text.length()) {
                break;
            }
            String inside = text.substring(at + 2, i);
            // ${exchangeProperty.jobId} is not ${exchangeProperty.job...}: the name must end there.
            char next = at + start.length() < text.length() ? text.charAt(at + start.length()) : '}';
            if (start.endsWith(":") || next == '.' || next == '?' || next == '}' || next == ' ') {
                found.add(inside);
            }
            at = i;
        }
        return found;
    }

    /** A method's values, split at the commas between them (not those in quotes, parentheses or ${...}). */
    static List<String> split(String values) {
        List<String> out = new ArrayList<>();
        if (values.isBlank()) {
            return out;
        }
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < values.length(); i++) {
            char c = values.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '{') {
                depth++;
            } else if (c == ')' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(values.substring(start, i).strip());
                start = i + 1;
            }
        }
        out.add(values.substring(start).strip());
        return out;
    }

    private static int indexOfAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** {@code ; did you mean x?} for the name closest to {@code name}, if one is close. */
    static String nearest(String name, java.util.Collection<String> known) {
        return known.stream().min(Comparator.comparingInt(k -> UnknownProperties.distance(name, k)))
                .filter(k -> UnknownProperties.distance(name, k) <= Math.max(2, name.length() / 3))
                .map(k -> "; did you mean " + k + "?").orElse("");
    }

    private static String quote(String text) {
        String one = oneLine(text);
        return "\"" + (one.length() > 120 ? one.substring(0, 120) + "..." : one) + "\"";
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }
}
