// tests/jenkins.groovy JENKINSFILE LOG [JENKINSFILE LOG...]: runs each
// declarative Jenkinsfile in turn (one JVM start for all) as
// Jenkins would, for tests/e2e/recipes.sh: the file is compiled by Groovy
// itself and evaluated with the steps docs/ci/Jenkinsfile uses (pipeline,
// agent/docker, environment, stages/stage/steps/script, sh with
// returnStatus, error, post/always, junit, archiveArtifacts). sh runs the
// script with `sh -e` in the current directory with the environment block's
// variables, its output to LOG. Any other step or option is a
// MissingMethodException: the recipe cannot drift outside what is run.
// Prints, for each, "pipeline<TAB>JENKINSFILE", check lines
// ("ok<TAB>NAME", "bad<TAB>NAME<TAB>WHY") and
// "result<TAB>SUCCESS|UNSTABLE|FAILURE" as Jenkins would set it.
import org.codehaus.groovy.control.CompilerConfiguration

class Pipeline {
    Map<String, String> env = [:]
    File log
    String result = 'SUCCESS'
    List<String> junits = []

    def call(Closure c) {
        c.delegate = this
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c()
    }
    // the pipeline's blocks are read first; then the stages run, then post
    // (whatever the stages did)
    Closure stageList = null
    Closure posts = null
    def pipeline(Closure c) {
        call(c)
        try {
            if (stageList) {
                call(stageList)
            }
        } catch (PipelineError e) {
            println "error\t${e.message}"
            result = 'FAILURE'
        }
        if (posts) {
            call(posts)
        }
    }
    def agent(Closure c) { call(c) }
    def docker(Closure c) { call(c) }
    def image(String s) { env['_image'] = s }
    def args(String s) { env['_docker_args'] = s }
    def environment(Closure c) {
        // NAME = 'value' lines: property assignments on the delegate
        def into = new Expando()
        c.delegate = into
        c.resolveStrategy = Closure.DELEGATE_ONLY
        c()
        into.properties.each { k, v -> env[k] = v.toString() }
    }
    def stages(Closure c) { stageList = c }
    def stage(String name, Closure c) { call(c) }
    def steps(Closure c) { call(c) }
    def script(Closure c) { call(c) }
    def post(Closure c) { posts = c }
    def always(Closure c) { call(c) }

    int run(String script) {
        def pb = new ProcessBuilder(['sh', '-e', '-c', script])
        pb.environment().putAll(env.findAll { k, v -> !k.startsWith('_') })
        pb.redirectErrorStream(true)
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        return pb.start().waitFor()
    }
    def sh(String script) {
        int rc = run(script)
        if (rc != 0) {
            throw new PipelineError("script returned exit code ${rc}")
        }
    }
    def sh(Map m) {
        if (!(m.keySet() - ['script', 'returnStatus']).isEmpty()) {
            throw new MissingMethodException('sh', Pipeline, [m] as Object[])
        }
        int rc = run(m.script as String)
        if (m.returnStatus) {
            return rc
        }
        if (rc != 0) {
            throw new PipelineError("script returned exit code ${rc}")
        }
    }
    def error(String message) { throw new PipelineError(message) }
    def junit(Map m) {
        def f = new File(m.testResults as String)
        if (!f.exists()) {
            if (!m.allowEmptyResults) {
                result = 'FAILURE'
            }
            return
        }
        junits << m.testResults
        def suites = new XmlSlurper().parse(f)
        int failures = suites.'**'.findAll { it.name() == 'failure' }.size()
        if (failures > 0 && result == 'SUCCESS') {
            result = 'UNSTABLE'
        }
        println "junit\t${m.testResults}\t${failures}"
    }
    def archiveArtifacts(Map m) { println "archive\t${m.artifacts}" }
}

class PipelineError extends RuntimeException {
    PipelineError(String m) { super(m) }
}

def runOne(String file, String log) {
    println "pipeline\t${file}"
    def cc = new CompilerConfiguration()
    cc.scriptBaseClass = DelegatingScript.name
    def script
    try {
        script = new GroovyShell(new Binding(), cc).parse(new File(file))
        println "ok\tJenkinsfile: Groovy compiles it"
    } catch (Exception e) {
        println "bad\tJenkinsfile: Groovy compiles it\t${e.message.readLines().take(3).join(' ')}"
        return
    }
    def p = new Pipeline(log: new File(log))
    script.setDelegate(p)
    try {
        script.run()
        println "ok\tJenkinsfile: every step and option is one this test runs"
    } catch (MissingMethodException | MissingPropertyException e) {
        println "bad\tJenkinsfile: a step this test does not run\t${e.message.readLines()[0]}"
        p.result = 'FAILURE'
    }
    println "result\t${p.result}"
}

for (int i = 0; i + 1 < args.length; i += 2) {
    runOne(args[i], args[i + 1])
}
