/**
 * The lab's own stylesheet for Failed Request Tracing files (not IIS's freb.xsl): a browser that
 * opens frNNNNNN.xml beside it shows the request summary and its events as a table. Kept as a
 * string so the compiled CLI carries it.
 */
export const FREB_XSL = `<?xml version="1.0" encoding="UTF-8"?>
<!-- arr-lab's own stylesheet for Failed Request Tracing files: a browser opening frNNNNNN.xml
     beside it shows the request summary and its events as a table. Not IIS's freb.xsl. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:ev="http://schemas.microsoft.com/win/2004/08/events/event"
  xmlns:freb="http://schemas.microsoft.com/win/2006/06/iis/freb">
  <xsl:output method="html" encoding="UTF-8"/>
  <xsl:template match="/failedRequest">
    <html>
      <head>
        <title>Failed request <xsl:value-of select="@statusCode"/> - <xsl:value-of select="@url"/></title>
        <style>body{font-family:Verdana,sans-serif;font-size:.8em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}.l2,.l1{color:#c00}.l3{color:#b60}</style>
      </head>
      <body>
        <h2><xsl:value-of select="@verb"/>&#160;<xsl:value-of select="@url"/></h2>
        <table>
          <xsl:for-each select="@*">
            <tr><th><xsl:value-of select="name()"/></th><td><xsl:value-of select="."/></td></tr>
          </xsl:for-each>
        </table>
        <h3>Events</h3>
        <table>
          <tr><th>#</th><th>time</th><th>event</th><th>area</th><th>data</th><th>description</th></tr>
          <xsl:for-each select="ev:Event">
            <tr class="l{ev:System/ev:Level}">
              <td><xsl:value-of select="position()"/></td>
              <td><xsl:value-of select="substring(ev:System/ev:TimeCreated/@SystemTime, 12, 12)"/></td>
              <td><xsl:value-of select="ev:RenderingInfo/ev:Opcode"/></td>
              <td><xsl:value-of select="ev:RenderingInfo/ev:Keywords/ev:Keyword"/></td>
              <td>
                <xsl:for-each select="ev:EventData/ev:Data[@Name != 'ContextId']">
                  <xsl:value-of select="@Name"/>="<xsl:value-of select="."/>"<br/>
                </xsl:for-each>
              </td>
              <td>
                <xsl:for-each select="ev:RenderingInfo/freb:Description">
                  <xsl:value-of select="@Data"/>: <xsl:value-of select="."/><br/>
                </xsl:for-each>
              </td>
            </tr>
          </xsl:for-each>
        </table>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
`;
