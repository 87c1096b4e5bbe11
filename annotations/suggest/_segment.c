/* segment.tokens in C: the same tokens as its TOKEN pattern,
 *
 *     [^\W_](?:[\w’'.\-]*[^\W_])?|''|``|[^\w\s]
 *
 * read character by character with the classes Python's re gives \w and \s on str (a word
 * character is alphanumeric or "_", as str.isalnum says; a space is what str.isspace says). An
 * article is tokenised once for the quote tagger and the endorsement classifier, and there the
 * pattern's match objects cost more than the scan. segment.py uses the pattern when this module
 * was not built; tests/test_segment.py checks both give the same tokens, every character of the
 * Unicode range included.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define IS_ALNUM(ch) Py_UNICODE_ISALNUM(ch)
#define IS_WORD(ch) (IS_ALNUM(ch) || (ch) == '_')
/* What may stand inside a word token: "don't", "U.S.", "half-hearted", "snake_case", "it’s". */
#define IS_INNER(ch) (IS_WORD(ch) || (ch) == 0x2019 || (ch) == '\'' || (ch) == '.' || (ch) == '-')

static int append(PyObject *list, PyObject *text, Py_ssize_t start, Py_ssize_t end) {
    PyObject *word = PyUnicode_Substring(text, start, end);
    if (word == NULL)
        return -1;
    PyObject *item = PyTuple_New(3);  /* not Py_BuildValue: it reads its format for every token */
    PyObject *s = PyLong_FromSsize_t(start), *e = PyLong_FromSsize_t(end);
    if (item == NULL || s == NULL || e == NULL) {
        Py_XDECREF(item);
        Py_XDECREF(s);
        Py_XDECREF(e);
        Py_DECREF(word);
        return -1;
    }
    PyTuple_SET_ITEM(item, 0, s);
    PyTuple_SET_ITEM(item, 1, e);
    PyTuple_SET_ITEM(item, 2, word);
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

/* tokens(text): a tuple of (start, end, word) for each token, in order. */
static PyObject *tokens(PyObject *self, PyObject *text) {
    (void)self;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "tokens: wanted a str");
        return NULL;
    }
    if (PyUnicode_READY(text) < 0)
        return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        Py_ssize_t end;
        if (IS_ALNUM(ch)) {
            /* The longest run of inner characters, given back to its last alphanumeric one. */
            end = i + 1;
            for (Py_ssize_t j = i + 1; j < n; j++) {
                Py_UCS4 c = PyUnicode_READ(kind, data, j);
                if (!IS_INNER(c))
                    break;
                if (IS_ALNUM(c))
                    end = j + 1;
            }
        } else if ((ch == '\'' || ch == '`') && i + 1 < n && PyUnicode_READ(kind, data, i + 1) == ch) {
            end = i + 2;  /* '' and `` stand for a quotation mark */
        } else if (!IS_WORD(ch) && !Py_UNICODE_ISSPACE(ch)) {
            end = i + 1;
        } else {
            i++;  /* a space, or a "_" that starts no word */
            continue;
        }
        if (append(out, text, i, end) < 0) {
            Py_DECREF(out);
            return NULL;
        }
        i = end;
    }
    PyObject *result = PyList_AsTuple(out);
    Py_DECREF(out);
    return result;
}

static PyMethodDef methods[] = {
    {"tokens", tokens, METH_O, "tokens(text): (start, end, word) of each token, as segment.TOKEN finds them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_segment", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__segment(void) { return PyModule_Create(&module); }
