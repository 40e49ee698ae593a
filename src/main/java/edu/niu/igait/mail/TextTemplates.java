package edu.niu.igait.mail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

import com.github.mustachejava.DefaultMustacheFactory;
import org.apache.camel.component.mustache.MustacheComponent;
import org.apache.pdfbox.pdmodel.font.encoding.GlyphList;
import org.apache.pdfbox.pdmodel.font.encoding.WinAnsiEncoding;

/**
 * Mustache for templates that become plain text, not HTML: the history report
 * ({@code routes/mail/history-report.txt}), which {@code pdf:create} lays out line by line in one of
 * the PDF's standard fonts. A value ({@code {{body.name}}}) is escaped for that instead of for HTML:
 * line breaks, tabs and other control characters become a space, so that a value never starts a line
 * of its own, and a character the standard fonts cannot show (they have the WinAnsi characters: Latin
 * letters with their accents, digits, punctuation) becomes {@code ?}, as PDFBox would otherwise refuse
 * the whole page. Routes reach it as the component {@value #COMPONENT}.
 */
public final class TextTemplates extends DefaultMustacheFactory {

    /** The component's name in the routes: {@code mustache-text:file:...}. */
    public static final String COMPONENT = "mustache-text";

    private static final GlyphList GLYPHS = GlyphList.getAdobeGlyphList();

    /** The Mustache component with this escaping, to bind as {@value #COMPONENT}. */
    public static MustacheComponent component() {
        MustacheComponent component = new MustacheComponent();
        component.setMustacheFactory(new TextTemplates());
        return component;
    }

    @Override
    public void encode(String value, Writer writer) {
        try {
            writer.write(escape(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A value as one line of text in the PDF's standard fonts. */
    public static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                out.append(' ');
            } else if (WinAnsiEncoding.INSTANCE.contains(GLYPHS.codePointToName(c))) {
                out.appendCodePoint(c);
            } else {
                out.append('?');
            }
        });
        return out.toString();
    }
}
