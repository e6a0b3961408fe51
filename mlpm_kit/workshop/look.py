"""How the workshop looks on a projector: the stylesheet the Voila page adds after its own.

At 1024x768 and 1280x720 nothing needs horizontal scrolling (rows wrap, the chart scales,
long words break), the results panel stays in view while the form scrolls (sticky), and
the text is large enough to read from the back of a room. The classes are set by `form.py`.
"""

WORKSHOP_CSS = """
body, .jp-Notebook, .jp-OutputArea-output, .widget-html-content { font-size: 17px; line-height: 1.4; }
body { overflow-x: hidden; }
.jp-Notebook, .jp-Cell, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output {
  max-width: 100%; min-width: 0; box-sizing: border-box; }
.jp-OutputPrompt, .jp-InputPrompt { display: none !important; }
.widget-html-content, .widget-label, .widget-html { white-space: normal; overflow-wrap: anywhere; }
.widget-text input, .widget-textarea textarea, .widget-dropdown select, .jupyter-button {
  font-size: 16px; }
.mlpm-app { width: 100%; max-width: 100%; box-sizing: border-box; }
/* position: sticky needs every ancestor of the panel to let it overflow (Lumino hides it). */
.jp-Notebook, .jp-Cell, .jp-Cell-outputWrapper, .jp-Cell-outputArea, .jp-OutputArea,
.jp-OutputArea-child, .jp-OutputArea-output, .mlpm-app, .mlpm-columns { overflow: visible !important; }
.mlpm-header { flex-wrap: wrap; gap: 6px; }
.mlpm-header > * { min-width: 0; }
.mlpm-columns { align-items: flex-start; width: 100%; }
.mlpm-form { flex: 1 1 56%; min-width: 0; }
.mlpm-panel { flex: 1 1 44%; min-width: 0; position: sticky; top: 0; align-self: flex-start;
  max-height: 100vh; overflow-y: auto; box-sizing: border-box; }
.mlpm-results table { width: 100%; border-collapse: collapse; }
.mlpm-results td, .mlpm-results th { padding: 2px 6px 2px 0; text-align: left; vertical-align: top; }
.mlpm-results svg { max-width: 100%; height: auto; }
.mlpm-results h3 { margin: 4px 0; font-size: 22px; }
.mlpm-results h4 { margin: 10px 0 4px 0; font-size: 18px; }
.mlpm-decision { border: 2px solid #888; border-radius: 6px; padding: 6px 10px; margin-bottom: 8px; }
.mlpm-decision b.mlpm-badge { font-size: 22px; }
@media (max-width: 1100px) { .mlpm-form { flex-basis: 52%; } .mlpm-panel { flex-basis: 48%; } }
"""
