/* _libsigma.c - the CPython extension over include/sigma.h.
 *
 * This is the only file of the Python package that calls the C library; the
 * Python modules (libsigma/__init__.py, libsigma/pysigma.py) see only what it
 * exports:
 *
 *     run(inputs, options, pipelines) -> (results, diagnostics, output)
 *         inputs     list of str (a rule file path) or (name, bytes) (rule
 *                    text with the name used in diagnostics), in order
 *         options    list of (key, value) str pairs (`-O key=value`)
 *         pipelines  list of str (`-p`: built-in name, file or directory)
 *         results    tuple of (file, id, title, type, queries, error,
 *                    warnings) per rule in input order; queries a tuple of
 *                    str, error None or a diagnostic, warnings a tuple of
 *                    diagnostics
 *         diagnostics  tuple of run-level diagnostics (e.g. unused options)
 *         output     str when the pipelines have finalizers, else None
 *         A diagnostic is (severity, file, line, column, message), severity
 *         "error" or "warning", line and column 0 when there is no position.
 *         A rule file that cannot be read becomes a result of type "file"
 *         with an error and no queries; the run goes on.
 *         Raises UsageError (a bad option value or pipeline) with the
 *         library's message.
 *     version() -> str;  listing(what) -> tuple of "name\tdescription" or
 *         None;  modifiers() -> tuple of str
 *     LibsigmaError, UsageError(LibsigmaError, ValueError)
 *
 * Everything the library needs is copied out of Python objects first; the GIL
 * is released while rule files are read and parsed, pipelines loaded and the
 * rules compiled, so other Python threads run meanwhile and several threads
 * may convert at once (each call has a compiler of its own). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdlib.h>
#include <string.h>

#include "sigma.h"

static PyObject *LibsigmaError;
static PyObject *UsageError;

/* One input copied out of its Python object: a path, or a named text. */
typedef struct {
    char *path; /* NULL for a text */
    char *name;
    char *text;
    size_t len;
} input;

typedef struct {
    input *in;
    Py_ssize_t nin;
    char **keys, **values;
    Py_ssize_t nopt;
    char **pipes;
    Py_ssize_t npipe;
} request;

static char *dup_bytes(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

/* A str without NUL characters as a new UTF-8 C string; NULL with an
 * exception set otherwise. */
static char *dup_str(PyObject *o, const char *what)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(o)->tp_name);
        return NULL;
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(o, &n);
    if (!s)
        return NULL;
    if (memchr(s, 0, (size_t)n)) {
        PyErr_Format(PyExc_ValueError, "%s must not contain NUL characters", what);
        return NULL;
    }
    char *d = dup_bytes(s, (size_t)n);
    if (!d)
        PyErr_NoMemory();
    return d;
}

static void request_free(request *r)
{
    for (Py_ssize_t i = 0; i < r->nin; i++) {
        free(r->in[i].path);
        free(r->in[i].name);
        free(r->in[i].text);
    }
    free(r->in);
    for (Py_ssize_t i = 0; i < r->nopt; i++) {
        free(r->keys[i]);
        free(r->values[i]);
    }
    free(r->keys);
    free(r->values);
    for (Py_ssize_t i = 0; i < r->npipe; i++)
        free(r->pipes[i]);
    free(r->pipes);
}

static int copy_input(PyObject *o, input *in)
{
    if (PyUnicode_Check(o)) {
        in->path = dup_str(o, "a rule path");
        return in->path ? 0 : -1;
    }
    PyObject *name, *text;
    if (!PyTuple_Check(o) || PyTuple_GET_SIZE(o) != 2) {
        PyErr_SetString(PyExc_TypeError, "an input must be a path (str) or a (name, bytes) tuple");
        return -1;
    }
    name = PyTuple_GET_ITEM(o, 0);
    text = PyTuple_GET_ITEM(o, 1);
    if (!PyBytes_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "rule text must be bytes");
        return -1;
    }
    if (!(in->name = dup_str(name, "a source name")))
        return -1;
    in->len = (size_t)PyBytes_GET_SIZE(text);
    if (!(in->text = dup_bytes(PyBytes_AS_STRING(text), in->len))) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* Copies the three argument lists into r; -1 with an exception set. */
static int request_copy(request *r, PyObject *inputs, PyObject *options, PyObject *pipelines)
{
    Py_ssize_t n = PyList_GET_SIZE(inputs);
    if (!(r->in = calloc((size_t)n + 1, sizeof *r->in)))
        goto nomem;
    for (; r->nin < n; r->nin++)
        if (copy_input(PyList_GET_ITEM(inputs, r->nin), &r->in[r->nin]) != 0) {
            r->nin++;
            return -1;
        }
    n = PyList_GET_SIZE(options);
    r->keys = calloc((size_t)n + 1, sizeof *r->keys);
    r->values = calloc((size_t)n + 1, sizeof *r->values);
    if (!r->keys || !r->values)
        goto nomem;
    for (; r->nopt < n; r->nopt++) {
        PyObject *kv = PyList_GET_ITEM(options, r->nopt);
        if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2) {
            PyErr_SetString(PyExc_TypeError, "an option must be a (key, value) tuple");
            return -1;
        }
        r->keys[r->nopt] = dup_str(PyTuple_GET_ITEM(kv, 0), "an option key");
        r->values[r->nopt] = r->keys[r->nopt] ? dup_str(PyTuple_GET_ITEM(kv, 1), "an option value") : NULL;
        if (!r->values[r->nopt]) {
            r->nopt++;
            return -1;
        }
    }
    n = PyList_GET_SIZE(pipelines);
    if (!(r->pipes = calloc((size_t)n + 1, sizeof *r->pipes)))
        goto nomem;
    for (; r->npipe < n; r->npipe++)
        if (!(r->pipes[r->npipe] = dup_str(PyList_GET_ITEM(pipelines, r->npipe), "a pipeline"))) {
            r->npipe++;
            return -1;
        }
    return 0;
nomem:
    PyErr_NoMemory();
    return -1;
}

/* What happened while the GIL was released. */
typedef struct {
    bool nomem;
    char *usage;    /* set on a usage error: its message */
    const char **read_errors; /* per input: NULL or why the file could not be read */
} outcome;

/* Runs the whole conversion without touching Python objects. */
static void run_unlocked(sigma_compiler *c, const request *r, outcome *out)
{
    for (Py_ssize_t i = 0; i < r->nopt; i++)
        if (sigma_set_option(c, r->keys[i], r->values[i]) != SIGMA_OK) {
            out->usage = strdup(sigma_last_error(c));
            return;
        }
    for (Py_ssize_t i = 0; i < r->npipe; i++)
        if (sigma_add_pipeline(c, r->pipes[i]) != SIGMA_OK) {
            out->usage = strdup(sigma_last_error(c));
            return;
        }
    const char **paths = calloc((size_t)r->nin + 1, sizeof *paths);
    if (!paths) {
        out->nomem = true;
        return;
    }
    for (Py_ssize_t i = 0; i < r->nin;) {
        if (!r->in[i].path) {
            sigma_add_source(c, r->in[i].name, r->in[i].text, r->in[i].len);
            i++;
            continue;
        }
        /* a run of files: read and parsed on several threads */
        Py_ssize_t k = i, n = 0;
        while (k < r->nin && r->in[k].path)
            paths[n++] = r->in[k++].path;
        sigma_add_files(c, paths, (size_t)n, out->read_errors + i);
        i = k;
    }
    free(paths);
    sigma_compile(c); /* a failed rule is in its result */
}

static PyObject *str_or_none(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static PyObject *diag_tuple(const sigma_diag *d)
{
    return Py_BuildValue("(sNIIN)", d->severity == SIGMA_ERROR ? "error" : "warning", str_or_none(d->file),
                         d->line, d->column, str_or_none(d->message));
}

static PyObject *result_tuple(const sigma_result *r)
{
    PyObject *queries = PyTuple_New((Py_ssize_t)r->nqueries);
    PyObject *warnings = PyTuple_New((Py_ssize_t)r->nwarnings);
    if (!queries || !warnings)
        goto fail;
    for (size_t k = 0; k < r->nqueries; k++) {
        PyObject *q = str_or_none(r->queries[k]);
        if (!q)
            goto fail;
        PyTuple_SET_ITEM(queries, (Py_ssize_t)k, q);
    }
    for (size_t k = 0; k < r->nwarnings; k++) {
        PyObject *w = diag_tuple(&r->warnings[k]);
        if (!w)
            goto fail;
        PyTuple_SET_ITEM(warnings, (Py_ssize_t)k, w);
    }
    PyObject *err = r->error ? diag_tuple(r->error) : Py_NewRef(Py_None);
    if (!err)
        goto fail;
    return Py_BuildValue("(NNNNNNN)", str_or_none(r->file), str_or_none(r->id), str_or_none(r->title),
                         str_or_none(sigma_result_type_name(r->type)), queries, err, warnings);
fail:
    Py_XDECREF(queries);
    Py_XDECREF(warnings);
    return NULL;
}

static int append_new(PyObject *list, PyObject *item)
{
    if (!item)
        return -1;
    int rc = PyList_Append(list, item);
    Py_DECREF(item);
    return rc;
}

/* The results of a finished run, in input order. The compiler's results come
 * input by input (each carries its input's path or name); a file that could
 * not be read has none, and gets a result of its own where it stood. */
static PyObject *collect(const sigma_compiler *c, const request *r, const outcome *out)
{
    PyObject *results = PyList_New(0), *diags = NULL, *output = NULL, *tuple = NULL;
    if (!results)
        return NULL;
    size_t nres = sigma_result_count(c), k = 0;
    for (Py_ssize_t i = 0; i < r->nin; i++) {
        const char *file = r->in[i].path ? r->in[i].path : r->in[i].name;
        if (r->in[i].path && out->read_errors[i]) {
            PyObject *t = Py_BuildValue("(sOOs()(sNIIN)())", file, Py_None, Py_None, "file", "error",
                                        str_or_none(file), 0u, 0u, str_or_none(out->read_errors[i]));
            if (append_new(results, t) != 0)
                goto fail;
            continue;
        }
        for (; k < nres; k++) {
            const sigma_result *res = sigma_result_get(c, k);
            if (!res->file || strcmp(res->file, file) != 0)
                break;
            if (append_new(results, result_tuple(res)) != 0)
                goto fail;
        }
    }
    for (; k < nres; k++) /* none expected: every result names its input */
        if (append_new(results, result_tuple(sigma_result_get(c, k))) != 0)
            goto fail;
    size_t nd = sigma_diag_count(c);
    if (!(diags = PyTuple_New((Py_ssize_t)nd)))
        goto fail;
    for (size_t i = 0; i < nd; i++) {
        PyObject *d = diag_tuple(sigma_diag_get(c, i));
        if (!d)
            goto fail;
        PyTuple_SET_ITEM(diags, (Py_ssize_t)i, d);
    }
    if (!(output = str_or_none(sigma_output(c))) || !(tuple = PyList_AsTuple(results)))
        goto fail;
    Py_DECREF(results);
    return Py_BuildValue("(NNN)", tuple, diags, output);
fail:
    Py_XDECREF(results);
    Py_XDECREF(diags);
    Py_XDECREF(output);
    return NULL;
}

static PyObject *py_run(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *inputs, *options, *pipelines;
    if (!PyArg_ParseTuple(args, "O!O!O!:run", &PyList_Type, &inputs, &PyList_Type, &options, &PyList_Type,
                          &pipelines))
        return NULL;
    request r = {0};
    outcome out = {false, NULL, NULL};
    PyObject *ret = NULL;
    sigma_compiler *c = NULL;
    if (request_copy(&r, inputs, options, pipelines) != 0)
        goto done;
    if (!(out.read_errors = calloc((size_t)r.nin + 1, sizeof *out.read_errors)) || !(c = sigma_compiler_new())) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    run_unlocked(c, &r, &out);
    Py_END_ALLOW_THREADS
    if (out.nomem)
        PyErr_NoMemory();
    else if (out.usage)
        PyErr_SetString(UsageError, out.usage);
    else
        ret = collect(c, &r, &out);
done:
    free(out.usage);
    free(out.read_errors);
    sigma_compiler_free(&c);
    request_free(&r);
    return ret;
}

static PyObject *py_version(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return PyUnicode_FromString(sigma_version());
}

static PyObject *str_tuple(const char *const *v)
{
    Py_ssize_t n = 0;
    while (v[n])
        n++;
    PyObject *t = PyTuple_New(n);
    for (Py_ssize_t i = 0; t && i < n; i++) {
        PyObject *s = str_or_none(v[i]);
        if (!s) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, s);
    }
    return t;
}

static PyObject *py_listing(PyObject *self, PyObject *arg)
{
    (void)self;
    const char *what = PyUnicode_AsUTF8(arg);
    if (!what)
        return NULL;
    const char *const *v = sigma_list(what);
    if (!v)
        Py_RETURN_NONE;
    return str_tuple(v);
}

static PyObject *py_modifiers(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    return str_tuple(sigma_modifiers());
}

static PyMethodDef methods[] = {
    {"run", py_run, METH_VARARGS, "run(inputs, options, pipelines) -> (results, diagnostics, output)"},
    {"version", py_version, METH_NOARGS, "version() -> the library version"},
    {"listing", py_listing, METH_O, "listing(what) -> tuple of 'name\\tdescription' lines, or None"},
    {"modifiers", py_modifiers, METH_NOARGS, "modifiers() -> tuple of the value modifier names"},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *m)
{
    LibsigmaError = PyErr_NewExceptionWithDoc("libsigma.LibsigmaError", "Base class of the errors of libsigma.",
                                              PyExc_Exception, NULL);
    if (!LibsigmaError || PyModule_AddObjectRef(m, "LibsigmaError", LibsigmaError) != 0)
        return -1;
    PyObject *bases = PyTuple_Pack(2, LibsigmaError, PyExc_ValueError);
    if (!bases)
        return -1;
    UsageError = PyErr_NewExceptionWithDoc("libsigma.UsageError",
                                           "A bad argument: an invalid option value, an unknown or invalid "
                                           "pipeline, a missing input.",
                                           bases, NULL);
    Py_DECREF(bases);
    if (!UsageError || PyModule_AddObjectRef(m, "UsageError", UsageError) != 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, (void *)exec_module},
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "libsigma._libsigma", "The C library behind libsigma (include/sigma.h).", 0, methods,
    slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__libsigma(void)
{
    return PyModuleDef_Init(&module);
}
