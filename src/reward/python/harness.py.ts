// The Python side of a check, run once when a worker starts: it returns the function that runs one program
// on one stdin. Its limits (all of them a first line only: Python cannot sandbox Python, so the worker's
// JavaScript scope is emptied too, and verdicts are computed outside the worker):
// - the JavaScript objects loaded modules keep as globals are dropped, the bridge modules taken out of
//   sys.modules for good;
// - an import hook that refuses the bridges to JavaScript (js, pyodide, _pyodide*, ...), the network
//   (socket, ssl, urllib.request, http.client, ...), ctypes, gc and subprocesses, and those modules are taken
//   out of sys.modules while the program runs;
// - a fresh namespace for the program, a fresh scratch folder as its working directory;
// - builtins, sys.modules, sys.meta_path, sys.path, std streams and the recursion limit restored after each run,
//   so one program cannot change the next one's behaviour through them.
export const HARNESS = String.raw`
def _webgrpo_make_runner():
    import sys, builtins, io, os, shutil, traceback
    roots = {'js', 'pyodide_js', 'pyodide', '_pyodide', '_pyodide_core', 'pyodide_http', 'micropip',
             'socket', '_socket', 'ssl', '_ssl', 'select', 'selectors', 'asyncio', 'ctypes', '_ctypes', 'gc',
             'subprocess', '_posixsubprocess', 'multiprocessing', 'webbrowser', 'ftplib', 'smtplib', 'poplib',
             'imaplib', 'xmlrpc', 'http', 'urllib', '_emscripten_socket'}
    allowed = {'urllib.parse', 'http.HTTPStatus'}
    def blocked(name):
        if name in allowed or name == 'urllib':
            return False
        return name.split('.')[0] in roots
    class ImportBlocker:
        def find_spec(self, name, path=None, target=None):
            if blocked(name):
                raise ImportError("module '%s' is not available to programs here (no network, no page access)" % name)
            return None
    blocker = ImportBlocker()
    sys.meta_path[:] = [blocker] + [f for f in sys.meta_path if type(f).__name__ != 'JsFinder']
    # JavaScript objects the loaded modules keep as globals (pyodide_js, its _api, callbacks) are dropped and
    # the bridge modules leave sys.modules for good: a program walking frames or function globals finds none
    from pyodide.ffi import JsProxy
    for mod in list(sys.modules.values()):
        for key, value in list(getattr(mod, '__dict__', {}).items()):
            if isinstance(value, JsProxy):
                del mod.__dict__[key]
    for name in list(sys.modules):
        if blocked(name):
            del sys.modules[name]
    del JsProxy, mod, key, value
    saved_builtins = dict(builtins.__dict__)
    out, err, stdin0 = sys.stdout, sys.stderr, sys.stdin
    limit = sys.getrecursionlimit()
    scratch = '/scratch'
    def run(code, stdin):
        modules = dict(sys.modules)
        meta, path = list(sys.meta_path), list(sys.path)
        if blocker not in sys.meta_path:
            sys.meta_path.insert(0, blocker)
        for name in list(sys.modules):
            if blocked(name):
                del sys.modules[name]
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        os.chdir(scratch)
        sys.stdin = io.StringIO(stdin)
        sys.argv = ['program.py']
        outcome = 'ok'
        try:
            exec(compile(code, 'program.py', 'exec'), {'__name__': '__main__', '__builtins__': builtins})
        except SystemExit:
            outcome = 'exit'
        except BaseException as e:
            outcome = 'error'
            # the program's own frames only (the first is this runner's)
            text = ''.join(traceback.format_exception(type(e), e, e.__traceback__.tb_next))
        finally:
            builtins.__dict__.clear()
            builtins.__dict__.update(saved_builtins)
            for s in (sys.stdout, sys.stderr):
                try:
                    s.flush()
                except BaseException:
                    pass
            sys.stdout, sys.stderr, sys.stdin = out, err, stdin0
            for s in (out, err, stdin0):
                try:
                    # attributes the program set on the streams themselves (sys.stdout.write = ...)
                    vars(s).clear()
                except BaseException:
                    pass
            sys.modules.clear()
            sys.modules.update(modules)
            sys.meta_path[:] = meta if blocker in meta else [blocker] + meta
            sys.path[:] = path
            sys.setrecursionlimit(limit)
            os.chdir('/')
        if outcome == 'error':
            try:
                err.write(text)
            except BaseException:
                pass
        for s in (out, err):
            try:
                s.flush()
            except BaseException:
                pass
        return outcome
    def flush():
        for s in (out, err):
            try:
                s.flush()
            except BaseException:
                pass
    # the worker calls this with output discarded before each run: what a run left buffered (a write that
    # failed at the output cap) must not show up in the next run's output
    run.flush = flush
    return run
_webgrpo_make_runner()
`;
