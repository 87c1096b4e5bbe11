/* stances.pair_signals in C: what an article's sentences say of each pair of its parties, the
 * endorsement classifier's features and evidence. In Python this is a dict update per feature
 * for each pair of each sentence, a tenth of the learned suggester's time; here the same
 * updates are made in the same order, so each pair's features (their values and the order of
 * their keys) and its evidence records are equal to the Python version's. stances.py uses this module
 * when it was built and pair_signals otherwise; tests/test_stances.py checks both give the same.
 *
 * The arguments are pair_signals': flags and lowers (per token), sentences (lo, hi, quoted,
 * span, parties: (second, first, token, stop) tuples) and the 20 feature names.
 *
 * Likewise stances.probabilities, the classifier's probabilities of each pair from the sums of
 * its feature weights.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>

enum { N_NEXT, N_CO, N_SSUP, N_SOPP, N_PAIR, N_NAMES = N_PAIR + 16 };  /* then 8 names for "ab", 8 for "ba" */
enum { P_CO, P_A_SAYS, P_B_SAYS, P_COQ, P_SUP, P_OPP, P_NEG, P_VERB };

typedef struct { Py_ssize_t second, first, token, stop; } Party;
#define MAX_INDEX 1023  /* a party's highest index (an article's table of pairs is at most 8 MB) */
typedef struct { Py_ssize_t lo, hi, parties, count; int quoted; PyObject *span; } Sentence;

/* d[key] = value, or (add) d[key] = d.get(key, 0.0) + value: the values are floats we put. */
static int put(PyObject *d, PyObject *key, double value, int add) {
    if (add) {
        PyObject *old = PyDict_GetItemWithError(d, key);
        if (old == NULL && PyErr_Occurred())
            return -1;
        if (old != NULL)
            value += PyFloat_AsDouble(old);
    }
    PyObject *v = PyFloat_FromDouble(value);
    if (v == NULL)
        return -1;
    int failed = PyDict_SetItem(d, key, v);
    Py_DECREF(v);
    return failed;
}

static int index_of(PyObject *item, Py_ssize_t *out, Py_ssize_t lo, Py_ssize_t hi, const char *what) {
    Py_ssize_t v = PyLong_AsSsize_t(item);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < lo || v > hi) {
        PyErr_Format(PyExc_ValueError, "pair_signals: %s %zd out of range", what, v);
        return -1;
    }
    *out = v;
    return 0;
}

/* Each sentence and its parties, read and checked against the article's n tokens. */
static int read_sentences(PyObject *list, Py_ssize_t n, Sentence *sents, Party **parties, Py_ssize_t *n_first,
                          Py_ssize_t *n_second, Py_ssize_t *most) {
    Py_ssize_t S = PyList_GET_SIZE(list), total = 0;
    for (Py_ssize_t i = 0; i < S; i++) {
        PyObject *s = PyList_GET_ITEM(list, i);
        if (!PyTuple_Check(s) || PyTuple_GET_SIZE(s) != 5 || !PyTuple_Check(PyTuple_GET_ITEM(s, 4))) {
            PyErr_SetString(PyExc_ValueError, "pair_signals: a sentence is (lo, hi, quoted, span, parties)");
            return -1;
        }
        total += PyTuple_GET_SIZE(PyTuple_GET_ITEM(s, 4));
    }
    *parties = PyMem_Malloc(sizeof(Party) * (total ? total : 1));
    if (*parties == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t at = 0;
    *n_first = *n_second = *most = 0;
    for (Py_ssize_t i = 0; i < S; i++) {
        PyObject *s = PyList_GET_ITEM(list, i), *here = PyTuple_GET_ITEM(s, 4);
        Sentence *t = &sents[i];
        if (index_of(PyTuple_GET_ITEM(s, 0), &t->lo, 0, n, "a sentence's start") < 0 ||
            index_of(PyTuple_GET_ITEM(s, 1), &t->hi, t->lo, n, "a sentence's end") < 0)
            return -1;
        if ((t->quoted = PyObject_IsTrue(PyTuple_GET_ITEM(s, 2))) < 0)
            return -1;
        t->span = PyTuple_GET_ITEM(s, 3);
        t->parties = at;
        t->count = PyTuple_GET_SIZE(here);
        if (t->count > *most)
            *most = t->count;
        for (Py_ssize_t k = 0; k < t->count; k++, at++) {
            PyObject *p = PyTuple_GET_ITEM(here, k);
            Party *q = &(*parties)[at];
            if (!PyTuple_Check(p) || PyTuple_GET_SIZE(p) != 4) {
                PyErr_SetString(PyExc_ValueError, "pair_signals: a party is (second, first, token, stop)");
                return -1;
            }
            if (index_of(PyTuple_GET_ITEM(p, 0), &q->second, 0, MAX_INDEX, "a party's index") < 0 ||
                index_of(PyTuple_GET_ITEM(p, 1), &q->first, -1, q->second, "a party's first index") < 0 ||
                index_of(PyTuple_GET_ITEM(p, 2), &q->token, 0, n - 1, "a mention's token") < 0 ||
                index_of(PyTuple_GET_ITEM(p, 3), &q->stop, q->token + 1, n, "a mention's end") < 0)
                return -1;
            if (q->first >= 0 && q->first != q->second) {
                PyErr_SetString(PyExc_ValueError, "pair_signals: a leading party has one index");
                return -1;
            }
            if (q->first + 1 > *n_first)
                *n_first = q->first + 1;
            if (q->second + 1 > *n_second)
                *n_second = q->second + 1;
        }
    }
    return 0;
}

typedef struct {
    Py_ssize_t n_second;
    PyObject **cells;  /* per (first, second): its (first, second, features, evidence), or NULL */
    PyObject *order;  /* the cells in the order they were made */
} Pairs;

/* The pair's cell (a borrowed reference), made when the article first joins the two. */
static PyObject *pair_of(Pairs *pairs, Py_ssize_t a, Py_ssize_t b) {
    PyObject **cell = &pairs->cells[a * pairs->n_second + b];
    if (*cell == NULL) {
        PyObject *made = Py_BuildValue("(nnNN)", a, b, PyDict_New(), PyList_New(0));
        int failed = made == NULL || PyList_Append(pairs->order, made) < 0;
        Py_XDECREF(made);
        if (failed)
            return NULL;
        *cell = made;  /* borrowed: the order list holds it */
    }
    return *cell;
}

/* What sentence t says of the pair of its parties x (the first) and y, added to the pair's
 * features in the order said_of writes it, and as its evidence a record of what it says (see
 * stances.pair_signals): no dict per sentence, only one for the few sentences shown. */
static int co_mention(const Sentence *t, const Party *x, const Party *y, int x_says, int y_says, PyObject *pair,
                      PyObject *const *names, const Py_ssize_t *const at[4], PyObject *lowers) {
    const Py_ssize_t *sup_at = at[0], *opp_at = at[1], *neg_at = at[2];
    PyObject *f = PyTuple_GET_ITEM(pair, 2), *evidence = PyTuple_GET_ITEM(pair, 3);
    /* The tokens between the two: from the end of the first to the start of the second. */
    int side = x->token < y->token ? 0 : 1;
    Py_ssize_t lo = side ? y->stop : x->stop, stop = side ? x->token : y->token, hi = lo > stop ? lo : stop;
    PyObject *const *p = names + N_PAIR + 8 * side;
    Py_ssize_t sup = sup_at[hi] - sup_at[lo], opp = opp_at[hi] - opp_at[lo];
    Py_ssize_t ssup = sup_at[t->hi] - sup_at[t->lo], sopp = opp_at[t->hi] - opp_at[t->lo];
    int neg = neg_at[hi] > neg_at[lo];
    if (put(f, names[N_CO], 1.0, 1) || put(f, p[P_CO], 1.0, 1) || (x_says && put(f, p[P_A_SAYS], 1.0, 1))
        || (y_says && put(f, p[P_B_SAYS], 1.0, 1)) || (t->quoted && put(f, p[P_COQ], 1.0, 1))
        || put(f, p[P_SUP], (double)sup, 1) || put(f, p[P_OPP], (double)opp, 1)
        || put(f, names[N_SSUP], (double)ssup, 1) || put(f, names[N_SOPP], (double)sopp, 1)
        || (neg && put(f, p[P_NEG], 1.0, 1)))
        return -1;
    /* "A vouched for B": the words of a verb phrase joining them */
    PyObject *words = PyTuple_New(hi - lo <= 6 ? hi - lo : 0);
    if (words == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
        PyObject *w = PyList_GET_ITEM(lowers, lo + i), *joining = PyUnicode_Concat(p[P_VERB], w);
        int failed = joining == NULL || put(f, joining, 1.0, 0);
        Py_XDECREF(joining);
        if (failed) {
            Py_DECREF(words);
            return -1;
        }
        Py_INCREF(w);
        PyTuple_SET_ITEM(words, i, w);
    }
    PyObject *record = Py_BuildValue("(OiOOOnnnnON)", t->span, side, x_says ? Py_True : Py_False,
                                     y_says ? Py_True : Py_False, t->quoted ? Py_True : Py_False, sup, opp, ssup, sopp,
                                     neg ? Py_True : Py_False, words);
    int failed = record == NULL || PyList_Append(evidence, record) < 0;
    Py_XDECREF(record);
    return failed ? -1 : 0;
}

static PyObject *pair_signals(PyObject *self, PyObject *args) {
    PyObject *flags, *lowers, *sent_list, *names_tuple;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!O!O!O!", &PyList_Type, &flags, &PyList_Type, &lowers, &PyList_Type, &sent_list,
                          &PyTuple_Type, &names_tuple))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(flags), S = PyList_GET_SIZE(sent_list);
    if (PyList_GET_SIZE(lowers) != n || PyTuple_GET_SIZE(names_tuple) != N_NAMES) {
        PyErr_SetString(PyExc_ValueError, "pair_signals: a lower case per flag, and 20 names");
        return NULL;
    }
    PyObject *const *names = &PyTuple_GET_ITEM(names_tuple, 0);
    for (Py_ssize_t i = 0; i < N_NAMES; i++)
        if (!PyUnicode_Check(names[i])) {
            PyErr_SetString(PyExc_ValueError, "pair_signals: the names are strings");
            return NULL;
        }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyUnicode_Check(PyList_GET_ITEM(lowers, i))) {
            PyErr_SetString(PyExc_ValueError, "pair_signals: the lower cases are strings");
            return NULL;
        }
    PyObject *out = NULL;
    Party *parties = NULL;
    char *says = NULL;  /* whether a speech verb stands by each party's mention in a sentence */
    Pairs pairs = {0, NULL, NULL};
    /* Running counts of each word list (support, oppose, negation, speech verb: the flags' bits),
     * so any stretch of tokens is counted in one subtraction. */
    Py_ssize_t *counts = PyMem_Malloc(sizeof(Py_ssize_t) * 4 * (n + 1));
    Sentence *sents = PyMem_Malloc(sizeof(Sentence) * (S ? S : 1));
    if (counts == NULL || sents == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const Py_ssize_t *at[4] = {counts, counts + (n + 1), counts + 2 * (n + 1), counts + 3 * (n + 1)};
    for (int b = 0; b < 4; b++)
        counts[b * (n + 1)] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        long x = PyLong_AsLong(PyList_GET_ITEM(flags, i));
        if (x == -1 && PyErr_Occurred())
            goto done;
        for (int b = 0; b < 4; b++)
            counts[b * (n + 1) + i + 1] = counts[b * (n + 1) + i] + ((x >> b) & 1);
    }
    Py_ssize_t n_first, n_second, most;
    if (read_sentences(sent_list, n, sents, &parties, &n_first, &n_second, &most) < 0)
        goto done;
    pairs.n_second = n_second;
    pairs.cells = PyMem_Calloc(n_first * n_second + 1, sizeof(PyObject *));
    says = PyMem_Malloc(sizeof(char) * (most + 1));
    if (pairs.cells == NULL || says == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if ((pairs.order = PyList_New(0)) == NULL)
        goto done;
    const Py_ssize_t *say_at = at[3];
    for (Py_ssize_t si = 0; si < S; si++) {
        const Sentence *t = &sents[si];
        const Party *here = parties + t->parties;
        if (si + 1 < S) {  /* a party in this sentence and another in the next */
            const Party *next = parties + sents[si + 1].parties;
            for (Py_ssize_t x = 0; x < t->count; x++) {
                if (here[x].first < 0)
                    continue;
                for (Py_ssize_t y = 0; y < sents[si + 1].count; y++) {
                    if (next[y].second == here[x].second)
                        continue;
                    PyObject *pair = pair_of(&pairs, here[x].first, next[y].second);
                    if (pair == NULL || put(PyTuple_GET_ITEM(pair, 2), names[N_NEXT], 1.0, 1) < 0)
                        goto done;
                }
            }
        }
        if (t->count < 2)
            continue;
        for (Py_ssize_t x = 0; x < t->count; x++) {  /* a speech verb by the party's mention? */
            Py_ssize_t i = here[x].token, hi = i + 4 < t->hi ? i + 4 : t->hi, lo = i - 3 > t->lo ? i - 3 : t->lo;
            says[x] = say_at[hi] > say_at[lo];
        }
        for (Py_ssize_t x = 0; x < t->count; x++) {
            if (here[x].first < 0)
                continue;
            for (Py_ssize_t y = 0; y < t->count; y++) {
                if (here[y].second == here[x].second)
                    continue;
                PyObject *pair = pair_of(&pairs, here[x].first, here[y].second);
                if (pair == NULL || co_mention(t, &here[x], &here[y], says[x], says[y], pair, names, at, lowers) < 0)
                    goto done;
            }
        }
    }
    out = pairs.order;
    pairs.order = NULL;
done:
    Py_XDECREF(pairs.order);
    PyMem_Free(pairs.cells);
    PyMem_Free(says);
    PyMem_Free(parties);
    PyMem_Free(sents);
    PyMem_Free(counts);
    return out;
}

/* A feature group's summed weights for each label, as stances.weight_sums: the same products
 * added in the same order (a count's square root by pow, as Python's ** takes it). */
static int group_sums(PyObject *weights, PyObject *group, double sum[3]) {
    int counted = PyDict_Check(group);
    if (!counted && !PyTuple_Check(group)) {
        PyErr_SetString(PyExc_ValueError, "probabilities: a group is a tuple of features or a dict of counts");
        return -1;
    }
    sum[0] = sum[1] = sum[2] = 0.0;
    PyObject *key, *value;
    Py_ssize_t pos = 0, i = 0;
    while (counted ? PyDict_Next(group, &pos, &key, &value) : i < PyTuple_GET_SIZE(group)) {
        if (!counted)
            key = PyTuple_GET_ITEM(group, i++);
        PyObject *w = PyDict_GetItemWithError(weights, key);
        if (w == NULL) {
            if (PyErr_Occurred())
                return -1;
            continue;
        }
        if (!PyTuple_CheckExact(w) || PyTuple_GET_SIZE(w) != 3 || !PyFloat_CheckExact(PyTuple_GET_ITEM(w, 0))
            || !PyFloat_CheckExact(PyTuple_GET_ITEM(w, 1)) || !PyFloat_CheckExact(PyTuple_GET_ITEM(w, 2))) {
            PyErr_SetString(PyExc_ValueError, "probabilities: a weight is a tuple of 3 floats");
            return -1;
        }
        if (!counted) {
            for (int k = 0; k < 3; k++)
                sum[k] += PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(w, k));
            continue;
        }
        double v = PyFloat_AsDouble(value);
        if (v == -1.0 && PyErr_Occurred())
            return -1;
        if (v > 1)
            v = 1.0 + pow(v - 1, 0.5) / 2;
        for (int k = 0; k < 3; k++)
            sum[k] += PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(w, k)) * v;
    }
    return 0;
}

/* A tuple group's sums, kept by its address: most candidates of an article share theirs. */
typedef struct { PyObject *group; double sum[3]; } Kept;

/* probabilities(weights, groups, present) -> [(supports, opposes)]: as stances.probabilities,
 * each candidate's softmax of its groups' sums, added in the same order. */
static PyObject *probabilities(PyObject *self, PyObject *args) {
    PyObject *weights, *cands, *present;
    (void)self;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyDict_Type, &weights, &PyList_Type, &cands, &PyTuple_Type, &present))
        return NULL;
    if (PyTuple_GET_SIZE(present) != 3) {
        PyErr_SetString(PyExc_ValueError, "probabilities: present is one flag per label (3)");
        return NULL;
    }
    int has[3];
    for (int k = 0; k < 3; k++)
        if ((has[k] = PyObject_IsTrue(PyTuple_GET_ITEM(present, k))) < 0)
            return NULL;
    Py_ssize_t N = PyList_GET_SIZE(cands), total = 0;
    for (Py_ssize_t i = 0; i < N; i++) {
        if (!PyTuple_Check(PyList_GET_ITEM(cands, i))) {
            PyErr_SetString(PyExc_ValueError, "probabilities: a candidate's groups are a tuple");
            return NULL;
        }
        total += PyTuple_GET_SIZE(PyList_GET_ITEM(cands, i));
    }
    size_t size = 64;  /* a power of two, at least twice the groups: the probes stay short */
    while (size < 2 * (size_t)total)
        size <<= 1;
    Kept *kept = PyMem_Calloc(size, sizeof(Kept));
    PyObject *out = kept == NULL ? PyErr_NoMemory() : PyList_New(N);
    if (out == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < N; i++) {
        PyObject *groups = PyList_GET_ITEM(cands, i);
        double s = 0.0, o = 0.0, n = 0.0;
        for (Py_ssize_t g = 0; g < PyTuple_GET_SIZE(groups); g++) {
            PyObject *group = PyTuple_GET_ITEM(groups, g);
            double w[3], *sum = w;
            if (PyTuple_CheckExact(group)) {
                size_t at = ((uintptr_t)group >> 4) & (size - 1);
                while (kept[at].group != NULL && kept[at].group != group)
                    at = (at + 1) & (size - 1);
                sum = kept[at].sum;
                if (kept[at].group == NULL) {
                    if (group_sums(weights, group, sum) < 0)
                        goto fail;
                    kept[at].group = group;
                }
            } else if (group_sums(weights, group, sum) < 0)
                goto fail;
            s += sum[0];
            o += sum[1];
            n += sum[2];
        }
        double top = s;
        if (o > top)
            top = o;
        if (n > top)
            top = n;
        double es = has[0] ? exp(s - top) : 0.0, eo = has[1] ? exp(o - top) : 0.0;
        double z = es + eo + (has[2] ? exp(n - top) : 0.0);
        PyObject *pair = Py_BuildValue("(dd)", es / z, eo / z);
        if (pair == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, pair);
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    PyMem_Free(kept);
    return out;
}

static PyMethodDef methods[] = {
    {"probabilities", probabilities, METH_VARARGS,
     "probabilities(weights, groups, present) -> [(supports, opposes)]: as stances.probabilities"},
    {"pair_signals", pair_signals, METH_VARARGS,
     "pair_signals(flags, lowers, sentences, names) -> [(first, second, features, evidence)]: as stances.pair_signals"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_stances", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__stances(void) { return PyModule_Create(&module); }
