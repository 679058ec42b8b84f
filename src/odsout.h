/* odsout.h - writing a table as an OpenDocument spreadsheet (.ods) in its
 * form's layout: the ODF format Taiwan's government asks agencies to
 * exchange, and what LibreOffice writes by default.
 *
 * The sheets, cells, merged ranges, widths, heights, dropdowns and print
 * setup are layout.h's, the same as the .xlsx export's.  In ODF terms:
 * - the package is written with minizip (zip.h): the "mimetype" entry
 *   first and stored (not deflated), as ODF requires, then
 *   META-INF/manifest.xml, content.xml, styles.xml, settings.xml and
 *   meta.xml, deflated; the XML with libxml2's xmlTextWriter, streamed
 *   into the zip entry as it is made;
 * - every value is a string cell (office:value-type="string"), its lines
 *   separate <text:p> (CR LF, LF and CR alike: ODF keeps no CR, so that
 *   "a\r\nb" reads back as "a\nb"), spaces that XML would collapse as
 *   <text:s/>, tabs as <text:tab/> (which LibreOffice 7.4 drops when it
 *   reads an .ods, its own too; spmform reads them back); an
 *   integer field's value of 1 to 15 digits without a leading zero is a
 *   float cell; nothing is ever a formula;
 * - a dropdown is a content validation, of:cell-content-is-in-list over
 *   the value sheet's column, named on every cell of its range (also the
 *   empty rows below the records);
 * - the frozen header is the view setting LibreOffice reads
 *   (settings.xml: VerticalSplitMode 2 at row 1); the header row printed
 *   on every page is <table:table-header-rows>; a hidden sheet has
 *   table:display="false"; page layouts are A4, landscape where the
 *   layout says so, one page wide for the printable sheet.
 */
#ifndef SPMFORM_ODSOUT_H
#define SPMFORM_ODSOUT_H

#include <stdbool.h>

#include "diag.h"
#include "table.h"

/* Writes t to path as .ods, atomically (atomic.h), as xlsxout_write does:
 * the package is built in a temporary file of path's folder, fsync'd,
 * given the mode of the file it replaces, then renamed over path, keeping
 * the file it replaces as path.bak when backup is set.  Returns 0 (diags
 * may get warnings), or -1 with an error in diags; after -1, path is as it
 * was and no temporary file is left.  Values that a spreadsheet cannot
 * hold (layout_build, with the characters XML 1.0 cannot hold: C0
 * controls but tab, line feed and carriage return) are reported with
 * their record and field before anything is written.  Nothing is printed
 * on stderr (libxml2's error handler is silenced while writing). */
int odsout_write(const Table *t, const char *path, bool backup, DiagList *diags);

#endif
