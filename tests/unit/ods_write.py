# ods_write.py - builds an .ods package for test_odsin.c from a spec:
#
#   python3 -I tests/unit/ods_write.py SPEC OUT
#
# SPEC is the XML of the first sheet's rows (table:table-row elements and
# whatever else a table holds), put into content.xml as the first
# <table:table table:name="清冊">, except for lines starting with "!":
#   !name NAME        the first sheet's name
#   !after XML        XML after the first table (more sheets)
#   !content XML      the whole content.xml instead
#   !mimetype TEXT    the mimetype entry's text ("-": no mimetype entry)
#   !part NAME<TAB>DATA  adds or replaces a part ("-" removes it)
#   !store            every entry stored, not deflated
#   !big NAME [MIB]   the zip directory claims MIB (300) MiB for NAME
#   !corrupt          the first "A</text:p>" of content.xml becomes "a</text:p>"
#                     (stored, so that only the CRC tells)
import struct
import sys
import zipfile

spec, out = sys.argv[1], sys.argv[2]
NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/"')
name, after, content, mimetype = "清冊", "", None, "application/vnd.oasis.opendocument.spreadsheet"
parts, opts, big, rows = {}, set(), [], []
for line in open(spec, encoding="utf-8").read().split("\n"):
    if line.startswith("!name "):
        name = line[6:]
    elif line.startswith("!after "):
        after += line[7:]
    elif line.startswith("!content "):
        content = line[9:]
    elif line.startswith("!mimetype "):
        mimetype = line[10:]
    elif line.startswith("!part "):
        k, v = line[6:].split("\t", 1)
        parts[k] = v
    elif line.startswith("!big "):
        big.append(line[5:])
    elif line.startswith("!"):
        opts.add(line[1:])
    else:
        rows.append(line)
if content is None:
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content %s office:version="1.3">'
               '<office:body><office:spreadsheet><table:table table:name="%s">%s</table:table>%s'
               '</office:spreadsheet></office:body></office:document-content>'
               % (NS, name, "\n".join(rows), after))
files = {}
if mimetype != "-":
    files["mimetype"] = mimetype
files["META-INF/manifest.xml"] = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '</manifest:manifest>' % mimetype)
files["content.xml"] = content
for k, v in parts.items():
    if v == "-":
        files.pop(k, None)
    else:
        files[k] = v
store = "store" in opts or "corrupt" in opts
with zipfile.ZipFile(out, "w") as z:
    for k, v in files.items():
        method = zipfile.ZIP_STORED if store or k == "mimetype" else zipfile.ZIP_DEFLATED
        z.writestr(zipfile.ZipInfo(k), v.encode("utf-8"), compress_type=method)
data = bytearray(open(out, "rb").read())
for spec_big in big:  # the central directory claims MIB uncompressed
    part, mib = (spec_big.split(" ") + ["300"])[:2]
    i = data.find(b"PK\x01\x02")
    while i >= 0:
        if data[i + 46:i + 46 + len(part)] == part.encode():
            struct.pack_into("<I", data, i + 24, int(mib) << 20)
        i = data.find(b"PK\x01\x02", i + 4)
if "corrupt" in opts:
    j = data.find(b"A</text:p>", data.find(b"content.xml"))
    data[j] ^= 0x20
open(out, "wb").write(data)
