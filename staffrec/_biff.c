/*
 * The texts of a BIFF8 workbook stream, read exactly as xlrd reads them (staffrec/biff_text.py).
 *
 * parse(stream, max_columns) walks the workbook globals and every worksheet once and returns
 * (strings, sheets): the shared-string table (then the texts of LABEL records) as a list of str,
 * and per worksheet (name, visibility, cells), where cells is bytes of packed little-endian
 * (row u16, column u16, index into strings u32) triples in stream order. rows(strings, cells) builds a
 * sheet's rows as lists of str ("" for an empty cell). A cell other than text anywhere, a text
 * right of max_columns, or anything this reader cannot tell exactly as xlrd does makes parse
 * return None, and the caller falls back to another reader; it never reads outside the stream,
 * whatever the stream holds.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define R_DIMENSIONS2 0x0000
#define R_FORMULA 0x0006
#define R_EOF 0x000A
#define R_DATEMODE 0x0022
#define R_FILEPASS 0x002F
#define R_PANE 0x0041
#define R_CODEPAGE 0x0042
#define R_DEFCOLWIDTH 0x0055
#define R_OBJ 0x005D
#define R_CONTINUE 0x003C
#define R_BOUNDSHEET 0x0085
#define R_COUNTRY 0x008C
#define R_SHEETSOFFSET 0x008E
#define R_SHEETHDR 0x008F
#define R_STANDARDWIDTH 0x0099
#define R_SCL 0x00A0
#define R_MULRK 0x00BD
#define R_SST 0x00FC
#define R_LABELSST 0x00FD
#define R_RSTRING 0x00D6
#define R_LABELRANGES 0x015F
#define R_TXO 0x01B6
#define R_DIMENSIONS 0x0200
#define R_NUMBER 0x0203
#define R_LABEL 0x0204
#define R_BOOLERR 0x0205
#define R_FORMULA3 0x0206
#define R_STRING 0x0207
#define R_ARRAY 0x0221
#define R_RK 0x027E
#define R_FORMULA4 0x0406
#define R_WINDOW2 0x023E
#define R_SHRFMLA 0x04BC
#define R_BOF 0x0809

#define MAX_SHEETS 256

static inline unsigned rd16(const unsigned char *p) { return (unsigned)p[0] | ((unsigned)p[1] << 8); }

static inline uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

typedef struct {
    const unsigned char *data;
    Py_ssize_t len;
} Piece;

typedef struct {
    unsigned char *bytes;
    Py_ssize_t len, cap;
} Buffer;

static int buffer_add(Buffer *b, unsigned row, unsigned col, uint32_t index)
{
    if (b->len + 8 > b->cap) {
        Py_ssize_t cap = b->cap ? b->cap * 2 : 4096;
        unsigned char *grown = PyMem_Realloc(b->bytes, (size_t)cap);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->bytes = grown;
        b->cap = cap;
    }
    unsigned char *p = b->bytes + b->len;
    p[0] = row & 0xFF, p[1] = row >> 8, p[2] = col & 0xFF, p[3] = col >> 8;
    p[4] = index & 0xFF, p[5] = (index >> 8) & 0xFF, p[6] = (index >> 16) & 0xFF, p[7] = index >> 24;
    b->len += 8;
    return 0;
}

/* Append text decoded from a piece of a string (compressed: Latin-1; else UTF-16LE, strict) to *acc. */
static int append_chars(PyObject **acc, const unsigned char *p, Py_ssize_t nbytes, int wide)
{
    PyObject *part;
    if (wide) {
        int order = -1; /* little-endian; a BOM is kept as a character, as the utf_16_le codec does */
        part = PyUnicode_DecodeUTF16((const char *)p, nbytes, "strict", &order);
    } else {
        part = PyUnicode_DecodeLatin1((const char *)p, nbytes, "strict");
    }
    if (part == NULL)
        return -1;
    if (*acc == NULL) {
        *acc = part;
        return 0;
    }
    PyObject *joined = PyUnicode_Concat(*acc, part);
    Py_DECREF(part);
    Py_SETREF(*acc, joined);
    return joined == NULL ? -1 : 0;
}

/* Decode the shared-string table as xlrd's unpack_SST_table does; -1 with an exception set, or 1 to decline. */
static int read_sst(Piece *pieces, Py_ssize_t npieces, PyObject *strings, Py_ssize_t count)
{
    Py_ssize_t k = 0, pos = 8;
    PyObject *text = NULL;
    const unsigned char *data = pieces[0].data;
    Py_ssize_t datalen = pieces[0].len;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (pos > datalen - 3)
            return 1;
        unsigned nchars = rd16(data + pos);
        unsigned options = data[pos + 2];
        pos += 3;
        unsigned runs = 0;
        int32_t extra = 0;
        if (options & 0x08) {
            if (pos > datalen - 2)
                return 1;
            runs = rd16(data + pos);
            pos += 2;
        }
        if (options & 0x04) {
            if (pos > datalen - 4)
                return 1;
            extra = (int32_t)rd32(data + pos);
            pos += 4;
            if (extra < 0)
                return 1;
        }
        text = NULL;
        unsigned got = 0;
        for (;;) {
            Py_ssize_t need = nchars - got, avail;
            if (options & 0x01) {
                avail = (datalen - pos) >> 1;
                if (avail > need)
                    avail = need;
                if (append_chars(&text, data + pos, 2 * avail, 1) < 0)
                    goto failed;
                pos += 2 * avail;
            } else {
                avail = datalen - pos;
                if (avail > need)
                    avail = need;
                if (append_chars(&text, data + pos, avail, 0) < 0)
                    goto failed;
                pos += avail;
            }
            got += (unsigned)avail;
            if (got == nchars)
                break;
            if (++k >= npieces || pieces[k].len < 1) {
                Py_DECREF(text);
                return 1;
            }
            data = pieces[k].data, datalen = pieces[k].len;
            options = data[0];
            pos = 1;
        }
        for (unsigned r = 0; r < runs; r++) {
            if (pos == datalen) {
                if (++k >= npieces) {
                    Py_DECREF(text);
                    return 1;
                }
                data = pieces[k].data, datalen = pieces[k].len, pos = 0;
            }
            if (pos > datalen - 4) {
                Py_DECREF(text);
                return 1;
            }
            pos += 4;
        }
        if ((Py_ssize_t)extra > PY_SSIZE_T_MAX - pos) {
            Py_DECREF(text);
            return 1;
        }
        pos += extra;
        if (pos >= datalen) {
            pos -= datalen;
            if (++k < npieces) {
                data = pieces[k].data, datalen = pieces[k].len;
            } else if (i != count - 1) {
                Py_DECREF(text);
                return 1;
            }
        }
        PyList_SET_ITEM(strings, i, text);
    }
    return 0;
failed:
    Py_XDECREF(text);
    return -1;
}

/* Decode an XLUnicodeString as xlrd's unpack_unicode does (a short record cuts the text short). */
static PyObject *unicode_string(const unsigned char *data, Py_ssize_t len, Py_ssize_t pos, int lenlen)
{
    if (pos + lenlen > len)
        return NULL;
    unsigned nchars = lenlen == 1 ? data[pos] : rd16(data + pos);
    if (nchars == 0)
        return PyUnicode_New(0, 0);
    pos += lenlen;
    if (pos >= len)
        return NULL;
    unsigned options = data[pos++];
    if (options & 0x08)
        pos += 2;
    if (options & 0x04)
        pos += 4;
    Py_ssize_t left = pos < len ? len - pos : 0;
    Py_ssize_t want = (options & 0x01) ? 2 * (Py_ssize_t)nchars : nchars;
    if (want > left)
        want = left;
    PyObject *text = NULL;
    if (append_chars(&text, data + (pos < len ? pos : len), want, options & 0x01) < 0)
        return NULL;
    return text;
}

/* xlrd's getbof takes a BOF record of 4 to 20 bytes only. */
static inline int bof_length_ok(unsigned len) { return len >= 4 && len <= 20; }

/* Tell whether a COUNTRY record agrees with every one before it (*countries: -1 before the first).
 * xlrd asserts each agrees with the last non-zero one, in its own order (globals, then the sheets
 * in BOUNDSHEET order, not stream order): only a workbook whose COUNTRY records all agree is sure
 * to pass. */
static int country_ok(const unsigned char *data, unsigned len, int64_t *countries)
{
    if (len < 4)
        return 0;
    int64_t value = rd32(data);
    if (*countries >= 0 && *countries != value)
        return 0;
    *countries = value;
    return 1;
}

/* Tell whether xlrd's derive_encoding takes this code page: it decodes b"trial" with the code page's
 * codec and raises where Python has none (cp301) or the codec cannot (cp424). */
static int codepage_ok(unsigned codepage)
{
    static const unsigned mapped[] = {1200, 10000, 10006, 10007, 10029, 10079, 10081, 32768, 32769};
    for (size_t i = 0; i < sizeof mapped / sizeof *mapped; i++)
        if (codepage == mapped[i])
            return 1;
    if (codepage < 300 || codepage > 1999)
        return 1; /* BIFF8: xlrd falls back to UTF-16LE */
    char name[16];
    snprintf(name, sizeof name, "cp%u", codepage);
    PyObject *trial = PyUnicode_Decode("trial", 5, name, "strict");
    if (trial == NULL) {
        if (PyErr_ExceptionMatches(PyExc_MemoryError))
            return 0; /* left set: parse answers MemoryError */
        PyErr_Clear();
        return 0;
    }
    Py_DECREF(trial);
    return 1;
}

typedef struct {
    Py_ssize_t offset;
    PyObject *name;
    unsigned visibility;
} SheetEntry;

static void free_entries(SheetEntry *entries, Py_ssize_t count)
{
    for (Py_ssize_t i = 0; i < count; i++)
        Py_XDECREF(entries[i].name);
    PyMem_Free(entries);
}

/* Read one worksheet substream into cells; return its end, 0 to decline, -1 on an exception. */
static Py_ssize_t read_sheet(const unsigned char *s, Py_ssize_t size, Py_ssize_t pos, PyObject *strings,
                             Py_ssize_t nshared, unsigned max_columns, Buffer *cells, int64_t *countries)
{
    if (pos < 0 || pos > size - 8 || rd16(s + pos) != R_BOF || !bof_length_ok(rd16(s + pos + 2)))
        return 0;
    if (rd16(s + pos + 4) != 0x0600 || rd16(s + pos + 6) != 0x0010)
        return 0; /* not a BIFF8 worksheet */
    pos += 4 + rd16(s + pos + 2);
    int embedded = 0; /* inside an embedded BOF ... EOF (a chart), which xlrd skips */
    int objects = 0;  /* OBJ records met: xlrd fails on a TXO before the sheet's first OBJ */
    for (;;) {
        if (pos > size - 4)
            return 0;
        unsigned type = rd16(s + pos), len = rd16(s + pos + 2);
        const unsigned char *data = s + pos + 4;
        if ((Py_ssize_t)len > size - 4 - pos)
            return 0;
        pos += 4 + len;
        if (embedded) {
            embedded = type != R_EOF;
            continue;
        }
        switch (type) {
        case R_LABELSST: {
            if (len != 10)
                return 0; /* xlrd unpacks exactly 10 bytes */
            unsigned row = rd16(data), col = rd16(data + 2);
            int32_t index = (int32_t)rd32(data + 6);
            if (index < 0 || index >= nshared || col >= max_columns)
                return 0;
            if (buffer_add(cells, row, col, (uint32_t)index) < 0)
                return -1;
            break;
        }
        case R_LABEL: {
            if (len < 6 || rd16(data + 2) >= max_columns)
                return 0;
            PyObject *text = unicode_string(data, len, 6, 2);
            if (text == NULL)
                return 0;
            Py_ssize_t index = PyList_GET_SIZE(strings);
            int failed = (size_t)index > UINT32_MAX || PyList_Append(strings, text) < 0;
            Py_DECREF(text);
            if (failed || buffer_add(cells, rd16(data), rd16(data + 2), (uint32_t)index) < 0)
                return -1;
            break;
        }
        /* Any other cell (number, date, boolean, error, formula, rich text): calamine or xlrd reads the file. */
        case R_FORMULA:
        case R_FORMULA3:
        case R_FORMULA4:
        case R_STRING:
        case R_NUMBER:
        case R_RK:
        case R_MULRK:
        case R_BOOLERR:
        case R_RSTRING:
        case R_ARRAY:
        case R_SHRFMLA:
        case R_LABELRANGES:
            return 0;
        /* Records xlrd reads whatever it is asked for: any xlrd cannot read or that changes what it
         * keeps, declined. Records it reads only with formatting_info, or in handlers that read no
         * cell (hyperlinks, comments, drawings), are stepped over, as calamine does. */
        case R_DIMENSIONS:
        case R_DIMENSIONS2:
            /* xlrd starts its row count again at each DIMENSIONS: after a cell, rows may be dropped. */
            if (len != 0 && (len < 12 || cells->len > 0))
                return 0;
            break;
        case R_WINDOW2:
            if (len < 14)
                return 0;
            break;
        case R_DEFCOLWIDTH:
        case R_STANDARDWIDTH:
            if (len < 2)
                return 0;
            break;
        case R_SCL:
            if (len != 4)
                return 0;
            break;
        case R_PANE:
            if (len < 9)
                return 0;
            break;
        case R_COUNTRY:
            if (!country_ok(data, len, countries))
                return 0;
            break;
        case R_OBJ:
            if (len == 0)
                return 0; /* xlrd then reads the id of an object it never made */
            objects = 1;
            break;
        case R_TXO:
            if (!objects)
                return 0;
            break;
        case 0x0009:
        case 0x0209:
        case 0x0409:
        case R_BOF:
            if (len < 4)
                return 0; /* xlrd reads the embedded BOF's version and type */
            embedded = 1;
            break;
        case R_EOF:
            return pos;
        default:
            break;
        }
    }
}

/* Build the (name, visibility, cells) tuple of one parsed worksheet. */
static PyObject *sheet_tuple(SheetEntry *entry, Buffer *cells)
{
    /* y# turns a NULL buffer (a sheet without a cell) into None: give it empty bytes instead. */
    const char *bytes = cells->bytes != NULL ? (const char *)cells->bytes : "";
    return Py_BuildValue("(OIy#)", entry->name, entry->visibility, bytes, cells->len);
}

static int by_offset(const void *a, const void *b)
{
    Py_ssize_t x = (*(SheetEntry *const *)a)->offset, y = (*(SheetEntry *const *)b)->offset;
    return (x > y) - (x < y);
}

static PyObject *decline(void)
{
    if (PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_MemoryError))
            return NULL;
        PyErr_Clear(); /* a string xlrd could not decode either: its reader says what is wrong */
    }
    Py_RETURN_NONE;
}

static PyObject *parse(PyObject *module, PyObject *args)
{
    Py_buffer view;
    unsigned max_columns;
    if (!PyArg_ParseTuple(args, "y*I:parse", &view, &max_columns))
        return NULL;
    if (max_columns > 256)
        max_columns = 256; /* xlrd takes no cell right of column IV */
    const unsigned char *s = view.buf;
    Py_ssize_t size = view.len, pos = 0, npieces = 0, nentries = 0, nshared = 0;
    Piece *pieces = NULL;
    SheetEntry *entries = NULL, **order = NULL;
    PyObject *strings = NULL, *sheets = NULL, *result = NULL;
    Buffer cells = {NULL, 0, 0};
    int declined = 1, seen_eof = 0;
    int64_t countries = -1;

    if (size < 8 || rd16(s) != R_BOF || !bof_length_ok(rd16(s + 2)) || rd16(s + 4) != 0x0600 || rd16(s + 6) != 0x0005)
        goto done;
    pos = 4 + rd16(s + 2);
    entries = PyMem_Calloc(MAX_SHEETS, sizeof(SheetEntry));
    if (entries == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    while (pos <= size - 4) {
        unsigned type = rd16(s + pos), len = rd16(s + pos + 2);
        const unsigned char *data = s + pos + 4;
        if ((Py_ssize_t)len > size - 4 - pos)
            goto done;
        pos += 4 + len;
        if (type == R_EOF) {
            seen_eof = 1;
            break;
        }
        if (type == R_FILEPASS || type == R_SHEETSOFFSET || type == R_SHEETHDR)
            goto done; /* encrypted, or BIFF4W records */
        if (type == R_CODEPAGE && (len < 2 || !codepage_ok(rd16(data))))
            goto done;
        if (type == R_DATEMODE && (len < 2 || rd16(data) > 1))
            goto done;
        if (type == R_COUNTRY && !country_ok(data, len, &countries))
            goto done;
        if (type == R_BOUNDSHEET) {
            if (len < 6)
                goto done;
            PyObject *name = unicode_string(data, len, 6, 1); /* xlrd decodes every sheet's name */
            if (name == NULL)
                goto done;
            if (data[5] != 0) {
                Py_DECREF(name); /* a chart, macro sheet or module: xlrd leaves it out */
                continue;
            }
            if (nentries == MAX_SHEETS) {
                Py_DECREF(name);
                goto done;
            }
            entries[nentries].offset = (int32_t)rd32(data);
            entries[nentries].visibility = data[4];
            entries[nentries].name = name;
            nentries++;
        } else if (type == R_SST) {
            if (pieces != NULL || len < 8)
                goto done;
            int32_t unique = (int32_t)rd32(data + 4);
            Py_ssize_t scan = pos, total = len, count = 1;
            while (scan <= size - 4 && rd16(s + scan) == R_CONTINUE) {
                if ((Py_ssize_t)rd16(s + scan + 2) > size - 4 - scan)
                    goto done;
                Py_ssize_t next = scan + 4 + rd16(s + scan + 2);
                total += next - scan - 4;
                count++;
                scan = next;
            }
            /* Every string takes at least 3 bytes: no real count exceeds the table's size / 3. */
            if (unique < 0 || unique > total / 3)
                goto done;
            pieces = PyMem_Calloc((size_t)count, sizeof(Piece));
            if (pieces == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            pieces[0].data = data, pieces[0].len = len;
            for (npieces = 1; npieces < count; npieces++) {
                pieces[npieces].data = s + pos + 4, pieces[npieces].len = rd16(s + pos + 2);
                pos += 4 + pieces[npieces].len;
            }
            nshared = unique;
            strings = PyList_New(nshared);
            if (strings == NULL)
                goto done;
            if (read_sst(pieces, npieces, strings, nshared) != 0)
                goto done; /* unfilled slots are NULL, which list deallocation skips */
        }
    }
    if (!seen_eof)
        goto done;
    if (strings == NULL && (strings = PyList_New(0)) == NULL)
        goto done;
    sheets = PyList_New(nentries);
    order = PyMem_Calloc(nentries ? (size_t)nentries : 1, sizeof(SheetEntry *));
    if (sheets == NULL || order == NULL) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < nentries; i++)
        order[i] = &entries[i];
    qsort(order, (size_t)nentries, sizeof(SheetEntry *), by_offset);
    for (Py_ssize_t j = 0, end = 0; j < nentries; j++) {
        SheetEntry *entry = order[j];
        /* Worksheets sharing bytes are no file Excel writes; reading them would multiply the work. */
        if (entry->offset < end)
            goto done;
        cells.len = 0;
        end = read_sheet(s, size, entry->offset, strings, nshared, max_columns, &cells, &countries);
        if (end <= 0)
            goto done;
        PyObject *sheet = sheet_tuple(entry, &cells);
        if (sheet == NULL)
            goto done;
        PyList_SET_ITEM(sheets, entry - entries, sheet);
    }
    result = PyTuple_Pack(2, strings, sheets);
    declined = result == NULL;

done:
    PyBuffer_Release(&view);
    if (entries != NULL)
        free_entries(entries, nentries);
    PyMem_Free(pieces);
    PyMem_Free(order);
    PyMem_Free(cells.bytes);
    Py_XDECREF(strings);
    Py_XDECREF(sheets);
    return declined ? decline() : result;
}

/* rows(strings, cells): the sheet's rows from row 0 as lists of str, "" where no cell is. */
static PyObject *rows(PyObject *module, PyObject *args)
{
    PyObject *strings;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "O!y*:rows", &PyList_Type, &strings, &view))
        return NULL;
    const unsigned char *c = view.buf;
    Py_ssize_t count = view.len / 8, nstrings = PyList_GET_SIZE(strings);
    unsigned last_row = 0, width = 0;
    PyObject *result = NULL, *empty_row = NULL, *empty_text = NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        unsigned row = rd16(c + 8 * i), col = rd16(c + 8 * i + 2);
        if (rd32(c + 8 * i + 4) >= (uint32_t)nstrings) {
            PyErr_SetString(PyExc_ValueError, "a cell points past the strings");
            goto done;
        }
        if (row > last_row)
            last_row = row;
        if (col + 1 > width)
            width = col + 1;
    }
    result = PyList_New(count ? (Py_ssize_t)last_row + 1 : 0);
    empty_row = PyList_New(0);
    empty_text = PyUnicode_New(0, 0);
    if (result == NULL || empty_row == NULL || empty_text == NULL)
        goto fail;
    for (Py_ssize_t r = 0; r < PyList_GET_SIZE(result); r++) {
        Py_INCREF(empty_row);
        PyList_SET_ITEM(result, r, empty_row);
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        unsigned row = rd16(c + 8 * i), col = rd16(c + 8 * i + 2);
        PyObject *line = PyList_GET_ITEM(result, row);
        if (line == empty_row) {
            line = PyList_New(width);
            if (line == NULL)
                goto fail;
            for (unsigned j = 0; j < width; j++) {
                Py_INCREF(empty_text);
                PyList_SET_ITEM(line, j, empty_text);
            }
            PyList_SET_ITEM(result, row, line);
            Py_DECREF(empty_row);
        }
        PyObject *text = PyList_GET_ITEM(strings, rd32(c + 8 * i + 4)), *old = PyList_GET_ITEM(line, col);
        Py_INCREF(text);
        PyList_SET_ITEM(line, col, text); /* a later cell at the same place wins, as in xlrd */
        Py_DECREF(old);
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    Py_XDECREF(empty_row);
    Py_XDECREF(empty_text);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS, "Return (strings, sheets) of a BIFF8 workbook stream, or None to decline."},
    {"rows", rows, METH_VARARGS, "Return one sheet's rows as lists of str from its packed cells."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_biff", "BIFF8 text reader.", -1, methods};

PyMODINIT_FUNC PyInit__biff(void) { return PyModule_Create(&module); }
