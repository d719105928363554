/** widget.js imports the widget's stylesheet as text (esbuild's text loader), to put it in its shadow root. */
declare module "*.css" {
  const text: string;
  export default text;
}
