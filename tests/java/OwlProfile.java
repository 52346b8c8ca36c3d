// The OWL API's OWL 2 DL profile check of one RDF file; exit 0 only when it is in OWL 2 DL
// and every triple was understood (the OWL API sets unparsable triples aside silently).
// Run: java -cp '/usr/share/java/*' OwlProfile.java FILE   (Debian libowlapi-java)

import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFDocumentFormat;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlProfile {
    public static void main(String[] args) throws Exception {
        OWLOntology ontology = OWLManager.createOWLOntologyManager()
            .loadOntologyFromOntologyDocument(new File(args[0]));
        int problems = 0;
        OWLDocumentFormat format = ontology.getFormat();
        if (format instanceof RDFDocumentFormat rdf && rdf.getOntologyLoaderMetaData().isPresent()) {
            for (Object triple : rdf.getOntologyLoaderMetaData().get().getUnparsedTriples()
                    .toArray()) {
                System.out.println("unparsed triple: " + triple);
                problems++;
            }
        }
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            System.out.println("violation: " + violation);
            problems++;
        }
        System.out.println(ontology.getAxiomCount() + " axioms, " + problems + " problem(s)");
        System.exit(problems == 0 ? 0 : 1);
    }
}
