/* The linear-chain CRF's two recurrences, one sequence at a time: what crf.py does with numpy
 * for all of an article's paragraphs at once. There, every token step is a few numpy calls over
 * a few rows of 13 labels, and the calls cost more than the sums; here a step is a few hundred
 * additions. crf.py uses this module when it was built (a C compiler at install) and its own
 * numpy code otherwise; both give the same best labels and marginals (tests/test_crf.py).
 * Likewise the sums of weight rows that make the quote tagger's state scores (learned.py).
 *
 * Arrays come in as buffers (C-contiguous float64 or intp, their shapes read from the buffers),
 * so no numpy headers are needed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An array argument: C-contiguous, float64 ('d') or intp, of ndim dimensions (its shape is then
 * in view->shape), writable when asked; else an exception that names it. */
static int take_array(PyObject *obj, Py_buffer *view, int ndim, int is_double, int writable, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    int ok = view->ndim == ndim && (is_double ? (*f == 'd' && view->itemsize == sizeof(double))
                                               : (strchr("lqn", *f) != NULL && view->itemsize == sizeof(Py_ssize_t)));
    if (!ok) {
        PyErr_Format(PyExc_ValueError, "%s: wanted a %d-dimensional %s array", what, ndim,
                     is_double ? "float64" : "intp");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* The n array arguments of a function that takes them all at once, each as take_array takes it
 * (float64 where doubles[k], else intp; the last one, its output, writable). Returns how many
 * were taken: n, or fewer when one was refused (its exception set); release_arrays gives back
 * those taken. */
static int take_arrays(PyObject *const *objs, Py_buffer *views, int n, const int *ndims, const int *doubles,
                       const char *const *names) {
    int got = 0;
    while (got < n && take_array(objs[got], &views[got], ndims[got], doubles[got], got == n - 1, names[got]) == 0)
        got++;
    return got;
}

/* The views take_arrays took, released; then None, or NULL with `bad` (when not NULL) as the
 * ValueError or with the exception already set. */
static PyObject *release_arrays(Py_buffer *views, int got, const char *bad) {
    for (int k = 0; k < got; k++)
        PyBuffer_Release(&views[k]);
    if (bad)
        PyErr_SetString(PyExc_ValueError, bad);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

/* viterbi(scores, transition, path): the best labels of one sequence of n tokens, from its state
 * scores (n x L) and the transition weights (L x L, [from, to]), into path (n intp). The forward
 * pass keeps each step's best scores; walking back, the previous label is the first best one, as
 * crfsuite and crf.py break ties. */
static PyObject *viterbi(PyObject *self, PyObject *args) {
    enum { SCORES, TRANS, PATH, ARRAYS };
    PyObject *o[ARRAYS];
    (void)self;
    if (!PyArg_ParseTuple(args, "OOO", &o[SCORES], &o[TRANS], &o[PATH]))
        return NULL;
    static const int ndims[ARRAYS] = {2, 2, 1}, doubles[ARRAYS] = {1, 1, 0};
    static const char *names[ARRAYS] = {"scores", "transition", "path"};
    Py_buffer v[ARRAYS] = {{0}};
    int got = take_arrays(o, v, ARRAYS, ndims, doubles, names);
    if (got < ARRAYS)
        return release_arrays(v, got, NULL);
    Py_ssize_t n = v[SCORES].shape[0], L = v[SCORES].shape[1];
    const char *bad = n < 1 || L < 1 ? "viterbi: an empty sequence or no labels"
        : v[TRANS].shape[0] != L || v[TRANS].shape[1] != L || v[PATH].shape[0] != n
        ? "viterbi: arrays whose shapes do not fit together"
        : NULL;
    if (bad)
        return release_arrays(v, got, bad);
    const double *s = v[SCORES].buf, *tr = v[TRANS].buf;
    Py_ssize_t *path = v[PATH].buf;
    double *best = malloc(sizeof(double) * n * L);
    if (best == NULL) {
        PyErr_NoMemory();
        return release_arrays(v, got, NULL);
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t j = 0; j < L; j++)
        best[j] = s[j];
    /* Each step reads the transitions row by row (from label i to every j), so the inner loop
     * runs over j and the compiler makes it vector operations; a maximum is the same whatever
     * the order it is taken in. */
    for (Py_ssize_t t = 1; t < n; t++) {
        const double *prev = best + (t - 1) * L;
        double *cur = best + t * L;
        for (Py_ssize_t j = 0; j < L; j++)
            cur[j] = prev[0] + tr[j];
        for (Py_ssize_t i = 1; i < L; i++) {
            const double p = prev[i], *row = tr + i * L;
            for (Py_ssize_t j = 0; j < L; j++) {
                double v = p + row[j];
                cur[j] = v > cur[j] ? v : cur[j];
            }
        }
        for (Py_ssize_t j = 0; j < L; j++)
            cur[j] += s[t * L + j];
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
    return release_arrays(v, got, NULL);
}

/* out = v M for a row v of L and an L x L matrix M, each out[j] summed over i in order; i runs
 * outermost so that the inner loop, over j, becomes vector operations. */
static void row_times(const double *v, const double *m, Py_ssize_t L, double *out) {
    for (Py_ssize_t j = 0; j < L; j++)
        out[j] = 0.0;
    for (Py_ssize_t i = 0; i < L; i++) {
        const double vi = v[i], *row = m + i * L;
        for (Py_ssize_t j = 0; j < L; j++)
            out[j] += vi * row[j];
    }
}

/* marginals(scores, exp_transition, every, path, out): forward-backward in probabilities for one
 * sequence, from its state scores (n x L) as exp(score - the token's best score) and
 * exp_transition (L x L) = exp(transition); every k-th step the running sums are rescaled to sum
 * to 1 (the scales cancel), as in crf.py. out (n float64) gets the probability of each token's
 * label in path (n intp). */
static PyObject *marginals(PyObject *self, PyObject *args) {
    enum { SCORES, TRANS, PATH, OUT, ARRAYS };
    PyObject *o[ARRAYS];
    Py_ssize_t every;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOnOO", &o[SCORES], &o[TRANS], &every, &o[PATH], &o[OUT]))
        return NULL;
    static const int ndims[ARRAYS] = {2, 2, 1, 1}, doubles[ARRAYS] = {1, 1, 0, 1};
    static const char *names[ARRAYS] = {"scores", "exp_transition", "path", "out"};
    Py_buffer v[ARRAYS] = {{0}};
    int got = take_arrays(o, v, ARRAYS, ndims, doubles, names);
    if (got < ARRAYS)
        return release_arrays(v, got, NULL);
    Py_ssize_t n = v[SCORES].shape[0], L = v[SCORES].shape[1];
    if (n < 1 || L < 1 || every < 1)
        return release_arrays(v, got, "marginals: an empty sequence, no labels or no rescaling step");
    if (v[TRANS].shape[0] != L || v[TRANS].shape[1] != L || v[PATH].shape[0] != n || v[OUT].shape[0] != n)
        return release_arrays(v, got, "marginals: arrays whose shapes do not fit together");
    const double *s = v[SCORES].buf, *tr = v[TRANS].buf;
    const Py_ssize_t *path = v[PATH].buf;
    double *out = v[OUT].buf;
    /* The state factors, then alpha (n x L each), three rows for beta (below), and the
     * transitions transposed. */
    double *e = malloc(sizeof(double) * (2 * n * L + 3 * L + L * L));
    if (e == NULL) {
        PyErr_NoMemory();
        return release_arrays(v, got, NULL);
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
        double *cur = alpha + t * L, sum = 0.0;
        row_times(alpha + (t - 1) * L, tr, L, cur);
        for (Py_ssize_t j = 0; j < L; j++) {
            cur[j] *= e[t * L + j];
            sum += cur[j];
        }
        if (t % every == 0)
            for (Py_ssize_t j = 0; j < L; j++)
                cur[j] /= sum;
    }
    /* Walking back, only beta at t+1 is needed: two rows, swapped each step, and w, the next
     * token's state factors times its beta; beta is the transitions times w, that is w times
     * the transitions transposed (trT). */
    double *next = alpha + n * L, *cur = next + L, *w = cur + L, *trT = w + L;
    for (Py_ssize_t i = 0; i < L; i++)
        for (Py_ssize_t j = 0; j < L; j++)
            trT[j * L + i] = tr[i * L + j];
    for (Py_ssize_t j = 0; j < L; j++)
        next[j] = 1.0;
    for (Py_ssize_t t = n - 1; t >= 0; t--) {
        if (t < n - 1) {
            double sum = 0.0;
            const double *et = e + (t + 1) * L;
            for (Py_ssize_t j = 0; j < L; j++)
                w[j] = et[j] * next[j];
            row_times(w, trT, L, cur);
            for (Py_ssize_t i = 0; i < L; i++)
                sum += cur[i];
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
    return release_arrays(v, got, bad ? "marginals: a label in path is out of range" : NULL);
}

/* state_scores(table, ids, lengths, at, edges, coded, codes, offsets, out): the state scores of
 * an article's N tokens in paragraphs of the given lengths, as learned.py's _Scorer sums them
 * with numpy: a token's word row (table[ids[a], 0]), then its neighbours' rows, at[s] tokens
 * away (table[ids[a + at[s]], 1 + s], or edges[s] past its paragraph's ends), then the sum over
 * templates t of its coded rows (coded[codes[t, a] + offsets[t]]), in that order, so the sums
 * round as numpy's do. table is W x (1 + S) x L, edges S x L, coded C x L, codes T x N,
 * out N x L. */
static PyObject *state_scores(PyObject *self, PyObject *args) {
    enum { TABLE, IDS, LENGTHS, AT, EDGES, CODED, CODES, OFFSETS, OUT, ARRAYS };
    PyObject *o[ARRAYS];
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOOOOO", &o[TABLE], &o[IDS], &o[LENGTHS], &o[AT], &o[EDGES], &o[CODED],
                          &o[CODES], &o[OFFSETS], &o[OUT]))
        return NULL;
    static const int ndims[ARRAYS] = {3, 1, 1, 1, 2, 2, 2, 2, 2};
    static const int doubles[ARRAYS] = {1, 0, 0, 0, 1, 1, 0, 0, 1};
    static const char *names[ARRAYS] = {"table", "ids", "lengths", "at", "edges", "coded", "codes", "offsets", "out"};
    Py_buffer v[ARRAYS] = {{0}};
    int got = take_arrays(o, v, ARRAYS, ndims, doubles, names);
    const char *bad = NULL;
    Py_ssize_t W = 0, S = 0, L = 0, N = 0, P = 0, C = 0, T = 0;
    if (got == ARRAYS) {
        W = v[TABLE].shape[0], S = v[TABLE].shape[1] - 1, L = v[TABLE].shape[2];
        N = v[IDS].shape[0], P = v[LENGTHS].shape[0], C = v[CODED].shape[0], T = v[CODES].shape[0];
        if (v[AT].shape[0] != S || v[EDGES].shape[0] != S || v[EDGES].shape[1] != L || v[CODED].shape[1] != L
            || v[CODES].shape[1] != N || v[OFFSETS].shape[0] != T || v[OFFSETS].shape[1] != 1
            || v[OUT].shape[0] != N || v[OUT].shape[1] != L)
            bad = "state_scores: arrays whose shapes do not fit together";
    }
    const double *table = v[TABLE].buf, *edges = v[EDGES].buf, *coded = v[CODED].buf;
    const Py_ssize_t *ids = v[IDS].buf, *lengths = v[LENGTHS].buf, *at = v[AT].buf, *codes = v[CODES].buf,
                     *offsets = v[OFFSETS].buf;
    double *out = v[OUT].buf;
    if (got == ARRAYS && !bad) {
        Py_ssize_t total = 0;
        for (Py_ssize_t p = 0; p < P && !bad; p++)
            if (lengths[p] < 1 || (total += lengths[p]) > N)
                bad = "state_scores: paragraph lengths that do not add up to the tokens";
        if (!bad && total != N)
            bad = "state_scores: paragraph lengths that do not add up to the tokens";
        for (Py_ssize_t a = 0; a < N && !bad; a++)
            if (ids[a] < 0 || ids[a] >= W)
                bad = "state_scores: a word id out of range";
        for (Py_ssize_t t = 0; t < T && !bad; t++)
            for (Py_ssize_t a = 0; a < N && !bad; a++)
                if (codes[t * N + a] < 0 || codes[t * N + a] + offsets[t] < 0 || codes[t * N + a] + offsets[t] >= C)
                    bad = "state_scores: a template code out of range";
    }
    if (got == ARRAYS && !bad && T > 0 && L > 0) {
        double *sum = malloc(sizeof(double) * L);
        if (sum == NULL) {
            PyErr_NoMemory();
        } else {
            Py_BEGIN_ALLOW_THREADS
            Py_ssize_t lo = 0;
            for (Py_ssize_t p = 0; p < P; p++) {
                Py_ssize_t hi = lo + lengths[p];
                for (Py_ssize_t a = lo; a < hi; a++) {
                    double *row = out + a * L;
                    const double *own = table + ids[a] * (S + 1) * L;
                    for (Py_ssize_t j = 0; j < L; j++)
                        row[j] = own[j];
                    for (Py_ssize_t k = 0; k < S; k++) {
                        Py_ssize_t b = a + at[k];
                        const double *add = (b >= lo && b < hi) ? table + (ids[b] * (S + 1) + 1 + k) * L : edges + k * L;
                        for (Py_ssize_t j = 0; j < L; j++)
                            row[j] += add[j];
                    }
                    const double *first = coded + (codes[a] + offsets[0]) * L;
                    for (Py_ssize_t j = 0; j < L; j++)
                        sum[j] = first[j];
                    for (Py_ssize_t t = 1; t < T; t++) {
                        const double *add = coded + (codes[t * N + a] + offsets[t]) * L;
                        for (Py_ssize_t j = 0; j < L; j++)
                            sum[j] += add[j];
                    }
                    for (Py_ssize_t j = 0; j < L; j++)
                        row[j] += sum[j];
                }
                lo = hi;
            }
            Py_END_ALLOW_THREADS
            free(sum);
        }
    } else if (got == ARRAYS && !bad) {
        bad = "state_scores: no templates or no labels";
    }
    return release_arrays(v, got, bad);
}

/* sentence_codes(verb, qi, kind, bounds, paras, after, before, sizes, out): the quote tagger's
 * codes made sentence by sentence (learned._sentence_rows does the same in Python; see there
 * for what each means). Per token of the article: verb (its speech verb's number, or -1), qi (1
 * inside a quotation), kind (1 "that", 2 ",", 3 ":", else 0); bounds (S x 2) the sentences'
 * token ranges; paras (P x 5) each paragraph's token range, its sentences' range in bounds, and
 * its flags (2 with quotations, + 1 ending in an open one); after and before the distance
 * buckets' codes; sizes (4) the number of buckets, of states, and the codes of "ps=00" and
 * "pp=000". Into out (8 x N): pv, nv, cl, s, pos, sp, vb and the word after the verb before
 * (its index in the paragraph, or -1). */
static PyObject *sentence_codes(PyObject *self, PyObject *args) {
    enum { VERB, QI, KIND, BOUNDS, PARAS, AFTER, BEFORE, SIZES, OUT, ARRAYS };
    enum { PV, NV, CL, SS, POS, SP, VB, AV, ROWS };
    PyObject *o[ARRAYS];
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOOOOO", &o[VERB], &o[QI], &o[KIND], &o[BOUNDS], &o[PARAS], &o[AFTER],
                          &o[BEFORE], &o[SIZES], &o[OUT]))
        return NULL;
    static const int ndims[ARRAYS] = {1, 1, 1, 2, 2, 1, 1, 1, 2};
    static const int doubles[ARRAYS] = {0};  /* all intp */
    static const char *names[ARRAYS] = {"verb", "qi", "kind", "bounds", "paras", "after", "before", "sizes", "out"};
    Py_buffer v[ARRAYS] = {{0}};
    int got = take_arrays(o, v, ARRAYS, ndims, doubles, names);
    const char *bad = NULL;
    Py_ssize_t N = 0, S = 0, P = 0, K = 0;
    if (got == ARRAYS) {
        N = v[VERB].shape[0], S = v[BOUNDS].shape[0], P = v[PARAS].shape[0], K = v[AFTER].shape[0];
        if (v[QI].shape[0] != N || v[KIND].shape[0] != N || v[BOUNDS].shape[1] != 2 || v[PARAS].shape[1] != 5
            || v[BEFORE].shape[0] != K || v[SIZES].shape[0] != 4 || v[OUT].shape[0] != ROWS || v[OUT].shape[1] != N)
            bad = "sentence_codes: arrays whose shapes do not fit together";
    }
    const Py_ssize_t *verb = v[VERB].buf, *qi = v[QI].buf, *kind = v[KIND].buf, *bounds = v[BOUNDS].buf,
                     *paras = v[PARAS].buf, *after = v[AFTER].buf, *before = v[BEFORE].buf, *sizes = v[SIZES].buf;
    Py_ssize_t *out = v[OUT].buf;
    /* Every index the loops below read must be in range: sentences inside their paragraphs,
     * shorter than the bucket tables. */
    for (Py_ssize_t p = 0; got == ARRAYS && !bad && p < P; p++) {
        const Py_ssize_t *q = paras + 5 * p;
        if (q[0] < 0 || q[0] >= q[1] || q[1] > N || q[2] < 0 || q[2] > q[3] || q[3] > S)
            bad = "sentence_codes: a paragraph out of range";
        for (Py_ssize_t s = q[2]; !bad && s < q[3]; s++) {
            Py_ssize_t lo = bounds[2 * s], hi = bounds[2 * s + 1];
            if (lo < q[0] || lo >= hi || hi > q[1] || hi - lo > K)
                bad = "sentence_codes: a sentence out of its paragraph, or longer than the bucket tables";
        }
    }
    for (Py_ssize_t i = 0; got == ARRAYS && !bad && i < N; i++)
        if (verb[i] < -1)
            bad = "sentence_codes: a verb number below -1";
    Py_ssize_t *near = NULL;
    if (got == ARRAYS && !bad && (near = malloc(sizeof(Py_ssize_t) * (N + 1))) == NULL)
        PyErr_NoMemory();
    if (near != NULL) {
        Py_ssize_t nb = sizes[0], n_states = sizes[1], ps = sizes[2], state = 0; /* "pp=start" */
        Py_ssize_t *pv = out + PV * N, *nv = out + NV * N, *cl = out + CL * N, *ss = out + SS * N,
                   *pos = out + POS * N, *sp = out + SP * N, *vb = out + VB * N, *av = out + AV * N;
        for (Py_ssize_t i = 0; i < N; i++) {
            pv[i] = nv[i] = cl[i] = ss[i] = sp[i] = vb[i] = 0;
            pos[i] = 3; /* "pos=-|3" */
            av[i] = -1;
        }
        for (Py_ssize_t p = 0; p < P; p++) {
            const Py_ssize_t *q = paras + 5 * p;
            int any_verb = 0;
            for (Py_ssize_t s = q[2]; s < q[3]; s++) {
                Py_ssize_t lo = bounds[2 * s], hi = bounds[2 * s + 1], m = hi - lo, n_near = 0;
                int verbs = 0, quoted = 0;
                for (Py_ssize_t k = 0; k < m; k++)
                    sp[lo + k] = after[k] * nb + after[m - 1 - k];
                for (Py_ssize_t i = lo; i < hi; i++) {
                    if (verb[i] >= 0) {
                        near[n_near++] = i;
                        verbs |= !qi[i];
                    }
                    quoted |= qi[i] != 0;
                }
                if (verbs) {
                    Py_ssize_t last = -1, that = 0, comma = 0;
                    for (Py_ssize_t i = lo; i < hi; i++) {
                        if (last >= 0) {
                            Py_ssize_t d = after[i - last];
                            pv[i] = 1 + verb[last] * nb + d;
                            if (i > last + 1)
                                av[i] = last + 1 - q[0];
                            cl[i] = 1 + ((d * 2 + that) * 2 + comma) * 2 + qi[i];
                        }
                        if (verb[i] >= 0 && !qi[i])
                            last = i, that = 0, comma = 0;
                        else if (kind[i] == 1)
                            that = 1;
                        else if (kind[i] == 2 || kind[i] == 3)
                            comma = 1;
                    }
                    Py_ssize_t next = -1;
                    comma = 0;
                    for (Py_ssize_t i = hi - 1; i >= lo; i--) {
                        if (next >= 0)
                            nv[i] = 1 + (verb[next] * nb + before[next - i]) * 2 + comma;
                        if (verb[i] >= 0 && !qi[i])
                            next = i, comma = 0;
                        else if (kind[i] == 2)
                            comma = 1;
                    }
                }
                if (n_near) {
                    Py_ssize_t j = 0;
                    for (Py_ssize_t i = lo; i < hi; i++) {
                        while (j < n_near - 1 && labs(near[j + 1] - i) < labs(near[j] - i))
                            j++;
                        Py_ssize_t d = i - near[j];
                        vb[i] = 1 + (d >= 0 ? after[d] : before[-d]);
                    }
                }
                Py_ssize_t now = 2 * verbs + quoted;
                for (Py_ssize_t i = lo; i < hi; i++)
                    ss[i] = now * n_states + state;
                state = ps + now;
                any_verb |= verbs;
                pos[hi - 1] = 2 * 4 + 3; /* "pos=EOS|3" */
                pos[lo] = 1 * 4 + 3;     /* "pos=BOS|3" */
            }
            for (Py_ssize_t k = 0; k < 3 && q[0] + k < q[1]; k++)
                pos[q[0] + k] += k - 3;
            state = sizes[3] + 4 * any_verb + q[4];
        }
        free(near);
    }
    return release_arrays(v, got, bad);
}

static PyMethodDef methods[] = {
    {"viterbi", viterbi, METH_VARARGS, "viterbi(scores, transition, path): one sequence's best labels."},
    {"marginals", marginals, METH_VARARGS,
     "marginals(scores, exp_transition, every, path, out): the probabilities of a path's labels."},
    {"state_scores", state_scores, METH_VARARGS,
     "state_scores(table, ids, lengths, at, edges, coded, codes, offsets, out): an article's token scores."},
    {"sentence_codes", sentence_codes, METH_VARARGS,
     "sentence_codes(verb, qi, kind, bounds, paras, after, before, sizes, out): the codes made sentence by sentence."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_crf", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__crf(void) { return PyModule_Create(&module); }
