import Link from "next/link";
import { DatasetFilters } from "@/components/datasets/dataset-filters";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { NewDatasetForm } from "@/components/datasets/new-dataset-form";
import { requirePermission } from "@/lib/auth/page-session";
import { can } from "@/lib/auth/policy";
import { ZDatasetListQuery } from "@/lib/schemas/dataset";
import { listDatasets } from "@/lib/services/datasets/list-datasets";

export const metadata = { title: "Datasets" };

const COMMERCIAL = { YES: ["ok", "commercial use"], NO: ["danger", "non-commercial"], UNKNOWN: ["warn", "commercial use unknown"] } as const;

export default async function DatasetsPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const actor = await requirePermission("dataset:read");
  const parsed = ZDatasetListQuery.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : {};
  const datasets = await listDatasets(actor, query);
  return (
    <div className="flex flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold">Datasets</h1>
        <p className="text-sm text-muted-fg">Public CT datasets with their licenses, and your team&apos;s own dataset versions.</p>
      </header>
      {can(actor, "dataset:write") && <NewDatasetForm />}
      <DatasetFilters initial={query} />
      {datasets.length === 0 ? (
        <EmptyState title="No datasets match">Clear the filters, or run <code>npx hounsfield seed</code> to load the public catalog.</EmptyState>
      ) : (
        <Table caption="Dataset catalog">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Region</Th>
              <Th className="text-right">CT volumes</Th>
              <Th>Reports</Th>
              <Th>License</Th>
              <Th>Access</Th>
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => {
              const [tone, text] = COMMERCIAL[d.commercialUse];
              return (
                <tr key={d.id}>
                  <Td>
                    <Link href={`/datasets/${d.slug}`} className="font-medium underline-offset-2 hover:underline">
                      {d.name}
                    </Link>
                    <div className="text-xs text-muted-fg">{d.catalog ? d.host : "team dataset"}</div>
                    {d.verified !== "YES" && (
                      <Badge tone="warn" title="Some fields could not be confirmed from a primary source">
                        {d.verified === "NO" ? "unverified" : "partly verified"}
                      </Badge>
                    )}
                  </Td>
                  <Td>{d.bodyRegion}</Td>
                  <Td className="text-right tabular-nums">{d.ctVolumes?.toLocaleString("en") ?? "?"}</Td>
                  <Td>{d.reports}</Td>
                  <Td>
                    <div>{d.license}</div>
                    <div className="mt-1 flex flex-wrap gap-1">
                      <Badge tone={tone}>{text}</Badge>
                      {d.shareAlike && <Badge>share-alike</Badge>}
                    </div>
                  </Td>
                  <Td>{d.access}</Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
    </div>
  );
}
