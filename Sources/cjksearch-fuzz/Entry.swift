import Foundation

#if CJKSEARCH_LIBFUZZER
// Built by scripts/fuzz.sh with -sanitize=fuzzer: libFuzzer's driver runs the target that
// CJKSEARCH_FUZZ_TARGET names. SwiftPM links an executable's main to `<module>_main`, so that is
// defined here and hands over to the driver (libFuzzer's own main is then not linked).

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("cjksearch_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var vector = argv
    _ = fuzzerInitialize(&count, &vector)
    return LLVMFuzzerRunDriver(&count, &vector, fuzzerTestOneInput)
}

nonisolated(unsafe) private var selected = FuzzTarget.analyzer

func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32 {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    guard let name = ProcessInfo.processInfo.environment["CJKSEARCH_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("cjksearch-fuzz: set CJKSEARCH_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    selected = target
    if target == .query { _ = FuzzTarget.queryIndex }
    return 0
}

func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#else

/// Without libFuzzer: runs the targets over given inputs (the seeds, or a crash file that a
/// fuzzing run left behind), and writes the seeds that depend on the file format.
@main
struct FuzzMain {
    static let usage = """
        usage: cjksearch-fuzz replay TARGET FILE|DIRECTORY...   run TARGET on each input file
               cjksearch-fuzz make-seeds DIRECTORY              write the segment and manifest seeds
               cjksearch-fuzz list                              the targets
        targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))

        """

    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        switch args.first {
        case "list":
            for t in FuzzTarget.allCases { print(t.rawValue) }
        case "replay" where args.count >= 3:
            guard let target = FuzzTarget(rawValue: args[1]) else { fail("unknown target \(args[1])") }
            var count = 0
            for path in args.dropFirst(2) {
                for file in inputFiles(path) {
                    guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
                    [UInt8](data).withUnsafeBufferPointer { target.run($0) }
                    count += 1
                }
            }
            print("\(target.rawValue): \(count) inputs, no failure")
        case "make-seeds" where args.count == 2:
            do { try FuzzSeeds.writeIndexSeeds(to: args[1]) } catch { fail("\(error)") }
        default:
            FileHandle.standardError.write(Data(usage.utf8))
            exit(2)
        }
    }

    static func inputFiles(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { fail("no such file: \(path)") }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.flatMap { inputFiles(path + "/" + $0) }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("cjksearch-fuzz: \(message)\n".utf8))
        exit(1)
    }
}
#endif
