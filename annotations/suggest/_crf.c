/* The linear-chain CRF's two recurrences, one sequence at a time: what crf.py does with numpy
 * for all of an article's paragraphs at once. There, every token step is a few numpy calls over
 * a few rows of 13 labels, and the calls cost more than the sums; here a step is a few hundred
 * additions. crf.py uses this module when it was built (a C compiler at install) and its own
 * numpy code otherwise; both give the same best labels and marginals (tests/test_crf.py).
 *
 * Arrays come in as buffers (C-contiguous float64 or intp), so no numpy headers are needed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>

/* A writable or read-only buffer of n items of the given size, or an exception. */
static int take(PyObject *obj, Py_buffer *view, Py_ssize_t n, Py_ssize_t itemsize, int writable,
                const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    if (view->len != n * itemsize || view->itemsize != itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes of %zd-byte items, wanted %zd items", what,
                     view->len, view->itemsize, n);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* viterbi(scores, n, L, transition, path): the best labels of one sequence of n tokens, from
 * its state scores (n x L) and the transition weights (L x L, [from, to]), into path (n intp).
 * The forward pass keeps each step's best scores; walking back, the previous label is the
 * first best one, as crfsuite and crf.py break ties. */
static PyObject *viterbi(PyObject *self, PyObject *args) {
    PyObject *o_scores, *o_trans, *o_path;
    Py_ssize_t n, L;
    (void)self;
    if (!PyArg_ParseTuple(args, "OnnOO", &o_scores, &n, &L, &o_trans, &o_path))
        return NULL;
    if (n < 1 || L < 1) {
        PyErr_SetString(PyExc_ValueError, "viterbi: an empty sequence or no labels");
        return NULL;
    }
    Py_buffer vs, vt, vp;
    if (take(o_scores, &vs, n * L, sizeof(double), 0, "scores") < 0)
        return NULL;
    if (take(o_trans, &vt, L * L, sizeof(double), 0, "transition") < 0) {
        PyBuffer_Release(&vs);
        return NULL;
    }
    if (take(o_path, &vp, n, sizeof(Py_ssize_t), 1, "path") < 0) {
        PyBuffer_Release(&vs);
        PyBuffer_Release(&vt);
        return NULL;
    }
    const double *s = vs.buf, *tr = vt.buf;
    Py_ssize_t *path = vp.buf;
    double *best = malloc(sizeof(double) * n * L);
    if (best == NULL) {
        PyBuffer_Release(&vs);
        PyBuffer_Release(&vt);
        PyBuffer_Release(&vp);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t j = 0; j < L; j++)
        best[j] = s[j];
    for (Py_ssize_t t = 1; t < n; t++) {
        const double *prev = best + (t - 1) * L;
        for (Py_ssize_t j = 0; j < L; j++) {
            double m = prev[0] + tr[j];
            for (Py_ssize_t i = 1; i < L; i++) {
                double v = prev[i] + tr[i * L + j];
                if (v > m)
                    m = v;
            }
            best[t * L + j] = m + s[t * L + j];
        }
    }
    const double *last = best + (n - 1) * L;
    Py_ssize_t y = 0;
    for (Py_ssize_t j = 1; j < L; j++)
        if (last[j] > last[y])
            y = j;
    path[n - 1] = y;
    for (Py_ssize_t t = n - 1; t > 0; t--) {
        const double *prev = best + (t - 1) * L;
        Py_ssize_t k = 0;
        double m = prev[0] + tr[y];
        for (Py_ssize_t i = 1; i < L; i++) {
            double v = prev[i] + tr[i * L + y];
            if (v > m) {
                m = v;
                k = i;
            }
        }
        y = path[t - 1] = k;
    }
    Py_END_ALLOW_THREADS
    free(best);
    PyBuffer_Release(&vs);
    PyBuffer_Release(&vt);
    PyBuffer_Release(&vp);
    Py_RETURN_NONE;
}

/* marginals(scores, n, L, exp_transition, every, path, out): forward-backward in probabilities
 * for one sequence, from its state scores (n x L) as exp(score - the token's best score) and
 * exp_transition (L x L) = exp(transition); every k-th step the running sums are rescaled to sum
 * to 1 (the scales cancel), as in crf.py. out (n float64) gets the probability of each token's
 * label in path (n intp). */
static PyObject *marginals(PyObject *self, PyObject *args) {
    PyObject *o_scores, *o_trans, *o_path, *o_out;
    Py_ssize_t n, L, every;
    (void)self;
    if (!PyArg_ParseTuple(args, "OnnOnOO", &o_scores, &n, &L, &o_trans, &every, &o_path, &o_out))
        return NULL;
    if (n < 1 || L < 1 || every < 1) {
        PyErr_SetString(PyExc_ValueError, "marginals: an empty sequence, no labels or no rescaling step");
        return NULL;
    }
    Py_buffer vs, vt, vp, vo;
    if (take(o_scores, &vs, n * L, sizeof(double), 0, "scores") < 0)
        return NULL;
    if (take(o_trans, &vt, L * L, sizeof(double), 0, "exp_transition") < 0)
        goto release_s;
    if (take(o_path, &vp, n, sizeof(Py_ssize_t), 0, "path") < 0)
        goto release_t;
    if (take(o_out, &vo, n, sizeof(double), 1, "out") < 0)
        goto release_p;
    const double *s = vs.buf, *tr = vt.buf;
    const Py_ssize_t *path = vp.buf;
    double *out = vo.buf;
    /* The state factors, then alpha (n x L each), and three rows for beta (below). */
    double *e = malloc(sizeof(double) * (2 * n * L + 3 * L));
    if (e == NULL) {
        PyErr_NoMemory();
        goto release_o;
    }
    double *alpha = e + n * L;
    int bad = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t t = 0; t < n; t++) {
        const double *row = s + t * L;
        double top = row[0];
        for (Py_ssize_t j = 1; j < L; j++)
            if (row[j] > top)
                top = row[j];
        for (Py_ssize_t j = 0; j < L; j++)
            e[t * L + j] = exp(row[j] - top);
    }
    for (Py_ssize_t j = 0; j < L; j++)
        alpha[j] = e[j];
    for (Py_ssize_t t = 1; t < n; t++) {
        const double *prev = alpha + (t - 1) * L;
        double *cur = alpha + t * L, sum = 0.0;
        for (Py_ssize_t j = 0; j < L; j++) {
            double v = 0.0;
            for (Py_ssize_t i = 0; i < L; i++)
                v += prev[i] * tr[i * L + j];
            cur[j] = v * e[t * L + j];
            sum += cur[j];
        }
        if (t % every == 0)
            for (Py_ssize_t j = 0; j < L; j++)
                cur[j] /= sum;
    }
    /* Walking back, only beta at t+1 is needed: two rows, swapped each step, and w, the next
     * token's state factors times its beta. */
    double *next = alpha + n * L, *cur = next + L, *w = cur + L;
    for (Py_ssize_t j = 0; j < L; j++)
        next[j] = 1.0;
    for (Py_ssize_t t = n - 1; t >= 0; t--) {
        if (t < n - 1) {
            double sum = 0.0;
            const double *et = e + (t + 1) * L;
            for (Py_ssize_t j = 0; j < L; j++)
                w[j] = et[j] * next[j];
            for (Py_ssize_t i = 0; i < L; i++) {
                double v = 0.0;
                for (Py_ssize_t j = 0; j < L; j++)
                    v += w[j] * tr[i * L + j];
                cur[i] = v;
                sum += v;
            }
            if (t % every == 0)
                for (Py_ssize_t i = 0; i < L; i++)
                    cur[i] /= sum;
            double *swap = next;
            next = cur;
            cur = swap;
        }
        const double *row = alpha + t * L;
        double z = 0.0;
        for (Py_ssize_t j = 0; j < L; j++)
            z += row[j] * next[j];
        if (path[t] < 0 || path[t] >= L) {
            bad = 1;
            break;
        }
        out[t] = row[path[t]] * next[path[t]] / z;
    }
    Py_END_ALLOW_THREADS
    free(e);
    if (bad)
        PyErr_SetString(PyExc_ValueError, "marginals: a label in path is out of range");
release_o:
    PyBuffer_Release(&vo);
release_p:
    PyBuffer_Release(&vp);
release_t:
    PyBuffer_Release(&vt);
release_s:
    PyBuffer_Release(&vs);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"viterbi", viterbi, METH_VARARGS, "viterbi(scores, n, L, transition, path): one sequence's best labels."},
    {"marginals", marginals, METH_VARARGS,
     "marginals(scores, n, L, exp_transition, every, path, out): the probabilities of a path's labels."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_crf", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__crf(void) { return PyModule_Create(&module); }
