package dev.fulcrum.lm.task;

/**
 * The {@code calc} tool: integer arithmetic with {@code + - * /}, unary minus and parentheses, the usual precedence,
 * left to right. Division must be exact. Malformed input, an inexact division, division by zero or overflow give an
 * {@link IllegalArgumentException} whose message the executor reports as {@code error: ...}.
 */
public final class Calculator {
    private static final int MAX_LENGTH = 200;
    private final String text;
    private int at;

    private Calculator(String text) {
        this.text = text;
    }

    public static long evaluate(String expression) {
        if (expression.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("expression longer than " + MAX_LENGTH + " characters");
        }
        Calculator c = new Calculator(expression);
        try {
            long v = c.sum();
            c.skipSpaces();
            if (c.at != expression.length()) {
                throw new IllegalArgumentException("unexpected '" + expression.charAt(c.at) + "' at " + c.at);
            }
            return v;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("integer overflow");
        }
    }

    private long sum() {
        long v = product();
        while (true) {
            skipSpaces();
            if (eat('+')) {
                v = Math.addExact(v, product());
            } else if (eat('-')) {
                v = Math.subtractExact(v, product());
            } else {
                return v;
            }
        }
    }

    private long product() {
        long v = factor();
        while (true) {
            skipSpaces();
            if (eat('*')) {
                v = Math.multiplyExact(v, factor());
            } else if (eat('/')) {
                long d = factor();
                if (d == 0) {
                    throw new IllegalArgumentException("division by zero");
                }
                if (v % d != 0) {
                    throw new IllegalArgumentException(v + "/" + d + " is not an integer");
                }
                v /= d;
            } else {
                return v;
            }
        }
    }

    private long factor() {
        skipSpaces();
        if (eat('-')) {
            return Math.negateExact(factor());
        }
        if (eat('(')) {
            long v = sum();
            skipSpaces();
            if (!eat(')')) {
                throw new IllegalArgumentException("missing ')'");
            }
            return v;
        }
        int start = at;
        while (at < text.length() && Character.isDigit(text.charAt(at)) && text.charAt(at) < 128) {
            at++;
        }
        if (start == at) {
            throw new IllegalArgumentException(at < text.length() ? "unexpected '" + text.charAt(at) + "' at " + at
                    : "expression ends early");
        }
        try {
            return Long.parseLong(text.substring(start, at));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number too large");
        }
    }

    private void skipSpaces() {
        while (at < text.length() && text.charAt(at) == ' ') {
            at++;
        }
    }

    private boolean eat(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }
}
